"""The coach's labelled corpus in ``data/coach/``: read it, check it, split it.

Records are JSON lines checked against ``data/schema/coach.schema.json``. ``statements.jsonl``
holds the client statements; ``replies-NN.jsonl`` the original labelled replies; the optional
``variants.jsonl`` mechanical surface variants of some replies (never counted as originals);
the optional ``second-pass.jsonl`` a blind second labelling of the replies listed in
``second-pass-ids.txt``.

The held-out split is by client statement, so no statement's replies are in both parts: a
statement is in the test part when the first eight hex digits of the SHA-256 of its id, read as
a number, are divisible by four (about a quarter of the statements).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from helpers.paths import data_path

LABELS: tuple[str, ...] = (
    "reflection",
    "open_question",
    "closed_question",
    "validation",
    "advice",
    "reassurance",
    "self_focus",
    "judgement",
    "information",
    "repair",
)

SECOND_PASS_SEED = 2126
SECOND_PASS_SIZE = 320


@dataclass(frozen=True)
class Reply:
    id: str
    statement: str
    client: str
    response: str
    labels: tuple[str, ...]
    variant_of: str = ""

    @property
    def split(self) -> str:
        return split_of(self.statement)


@dataclass
class Corpus:
    statements: dict[str, dict] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    variants: list[Reply] = field(default_factory=list)
    second_pass: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def part(self, split: str, with_variants: bool = False) -> list[Reply]:
        """The original replies of one split (``train`` or ``test``), optionally with the
        surface variants of those replies."""
        found = [r for r in self.replies if r.split == split]
        if with_variants:
            found += [v for v in self.variants if v.split == split]
        return found


def corpus_dir() -> Path:
    return data_path("coach")


def split_of(statement_id: str) -> str:
    digest = hashlib.sha256(statement_id.encode("utf-8")).hexdigest()
    return "test" if int(digest[:8], 16) % 4 == 0 else "train"


def corpus_files(folder: Path | None = None) -> list[Path]:
    """The files the model is trained from, in a fixed order."""
    folder = folder or corpus_dir()
    names = ["statements.jsonl", *sorted(p.name for p in folder.glob("replies-*.jsonl"))]
    names.append("variants.jsonl")
    return [folder / name for name in names if (folder / name).is_file()]


def fingerprint(folder: Path | None = None) -> str:
    """SHA-256 over the training files' names and bytes: changes whenever the corpus does."""
    digest = hashlib.sha256()
    for path in corpus_files(folder):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _validators() -> dict:
    from jsonschema import Draft202012Validator

    schema = json.loads(data_path("schema", "coach.schema.json").read_text(encoding="utf-8"))
    return {
        kind: Draft202012Validator({**schema, "$ref": f"#/$defs/{kind}"})
        for kind in ("statement", "reply", "variant", "secondPass")
    }


def _records(path: Path, kind: str, problems: list[str]) -> list[dict]:
    validator = _validators()[kind]
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: not a JSON object ({error.msg}); fix the line")
            continue
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        if errors:
            field_name = ".".join(str(p) for p in errors[0].path) or "record"
            problems.append(f"{where}: {field_name}: {errors[0].message}")
            continue
        found.append(record)
    return found


def load_corpus(folder: Path | None = None) -> Corpus:
    """Every record of the corpus, with a plain sentence for each problem found."""
    folder = folder or corpus_dir()
    corpus = Corpus()
    problems = corpus.problems
    path = folder / "statements.jsonl"
    if not path.is_file():
        problems.append(f"{path}: missing; the corpus needs its client statements")
        return corpus
    for record in _records(path, "statement", problems):
        if record["id"] in corpus.statements:
            problems.append(f"statements.jsonl: statement '{record['id']}' appears twice")
        corpus.statements[record["id"]] = record
    seen: set[str] = set()
    for path in sorted(folder.glob("replies-*.jsonl")):
        for record in _records(path, "reply", problems):
            where = f"{path.name}: reply '{record['id']}'"
            if record["id"] in seen:
                problems.append(f"{where} appears twice; give it a new id")
                continue
            statement = corpus.statements.get(record["statement"])
            if statement is None:
                problems.append(f"{where} answers unknown statement '{record['statement']}'")
                continue
            if not record["id"].startswith(record["statement"] + "-"):
                problems.append(f"{where}: its id must start with '{record['statement']}-'")
                continue
            seen.add(record["id"])
            corpus.replies.append(_reply(record, statement))
    by_id = {r.id: r for r in corpus.replies}
    path = folder / "variants.jsonl"
    if path.is_file():
        for record in _records(path, "variant", problems):
            original = by_id.get(record["variant_of"])
            if original is None:
                problems.append(f"variants.jsonl: '{record['id']}' varies unknown reply")
                continue
            corpus.variants.append(
                Reply(
                    record["id"],
                    original.statement,
                    original.client,
                    record["response"],
                    original.labels,
                    variant_of=original.id,
                )
            )
    path = folder / "second-pass.jsonl"
    if path.is_file():
        for record in _records(path, "secondPass", problems):
            if record["id"] not in by_id:
                problems.append(f"second-pass.jsonl: unknown reply '{record['id']}'")
                continue
            corpus.second_pass[record["id"]] = _ordered(record["labels"])
    return corpus


def _reply(record: dict, statement: dict) -> Reply:
    return Reply(
        record["id"],
        record["statement"],
        statement["text"],
        record["response"],
        _ordered(record["labels"]),
    )


def _ordered(labels: list[str]) -> tuple[str, ...]:
    return tuple(label for label in LABELS if label in labels)


def second_pass_ids(corpus: Corpus, size: int = SECOND_PASS_SIZE) -> list[str]:
    """Test-split reply ids for the blind second labelling, chosen with a fixed seed."""
    import random

    test = sorted(r.id for r in corpus.part("test"))
    chosen = random.Random(SECOND_PASS_SEED).sample(test, min(size, len(test)))
    return sorted(chosen)


def check_folder(folder: Path, as_json: bool = False) -> int:
    """What ``alliance validate data/coach`` prints: each problem, then a one-line verdict.

    Returns 1 when the corpus has problems, else 0.
    """
    corpus = load_corpus(folder)
    counts = {label: sum(label in r.labels for r in corpus.replies) for label in LABELS}
    if as_json:
        summary = {
            "statements": len(corpus.statements),
            "replies": len(corpus.replies),
            "variants": len(corpus.variants),
            "labels": counts,
            "ok": not corpus.problems,
            "problems": corpus.problems,
        }
        print(json.dumps(summary, indent=2))
    else:
        for problem in corpus.problems:
            print(f"{folder}/{problem}")
        size = f"{len(corpus.replies)} coach replies to {len(corpus.statements)} statements"
        problems = len(corpus.problems)
        print(f"{size}: OK" if not problems else f"{size}: {problems} problem(s)")
    return 1 if corpus.problems else 0
