"""The copy check: no run of 8 or more words shared with a source text outside quotation marks.

The source texts (the course's source article and the passages its reference fact sheets quote
from published works) are not shipped with the course. What is shipped is a list of
*fingerprints*: a short hash of every run of 8 consecutive words in them, in
``tests/fixtures/source-fingerprints.txt``. The check hashes every run of 8 words in the course's
own prose the same way and reports any match.

Quoted text is allowed: a passage between double quotation marks ("..." or “...”), or on a
Markdown block-quote line (``> ...``), is left out before the check. Reference lists are left
out too, since a cited title is not copied prose.

Rebuild the fingerprints when a source text changes::

    python -m tests.copycheck build --whole ARTICLE.txt --quotes FACTS.md [FACTS.md ...]

``--whole`` takes every word of a file; ``--quotes`` takes only the passages a file quotes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FINGERPRINTS = ROOT / "tests" / "fixtures" / "source-fingerprints.txt"
RUN = 8

_QUOTED = re.compile(r'"[^"]{1,1200}"|“[^”]{1,1200}”')
_BLOCKQUOTE = re.compile(r"^\s*>.*$", flags=re.MULTILINE)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """The text's words, lower-cased, with curly apostrophes made straight and markup dropped."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    return _WORD.findall(text)


def unquoted(text: str) -> str:
    """The text with every quoted passage and block-quote line blanked out."""
    text = _BLOCKQUOTE.sub(" ", text)
    return _QUOTED.sub(" | ", text)


def runs(tokens: list[str], size: int = RUN) -> Iterator[tuple[int, str]]:
    for start in range(len(tokens) - size + 1):
        yield start, " ".join(tokens[start : start + size])


def fingerprint(run: str) -> str:
    return hashlib.sha256(run.encode("utf-8")).hexdigest()[:16]


def quoted_passages(text: str) -> list[str]:
    """The passages a text quotes ("..." or “...”) that are long enough to be copied from."""
    found = [match.group(0)[1:-1] for match in _QUOTED.finditer(text)]
    return [passage for passage in found if len(words(passage)) >= RUN]


def build(whole: list[Path], quotes: list[Path]) -> set[str]:
    prints = set()
    for path in whole:
        prints.update(fingerprint(run) for _, run in runs(words(path.read_text("utf-8"))))
    for path in quotes:
        for passage in quoted_passages(path.read_text("utf-8")):
            prints.update(fingerprint(run) for _, run in runs(words(passage)))
    return prints


def load_fingerprints(path: Path = FINGERPRINTS) -> set[str]:
    lines = path.read_text("utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


# ----------------------------------------------------------------------------- course prose


@dataclass(frozen=True)
class Passage:
    where: str  # file and cell, vignette field or line
    text: str


def _yaml_strings(node: object, where: str) -> Iterator[Passage]:
    if isinstance(node, str):
        yield Passage(where, node)
    elif isinstance(node, dict):
        label = node.get("id", "") if isinstance(node.get("id"), str) else ""
        for key, value in node.items():
            yield from _yaml_strings(value, f"{where}{' ' + label if label else ''}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _yaml_strings(item, f"{where}[{index}]")


def _is_reference_list(text: str) -> bool:
    return text.lstrip().startswith("## References")


def course_passages(root: Path = ROOT) -> Iterator[Passage]:
    """Every piece of prose a trainee or instructor reads: notebook Markdown, the vignette bank
    and other course data, and the documentation (the generated instructor guide is built from
    these, so it is not read twice; reference lists are left out)."""
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text("utf-8"))["cells"]
        for cell in cells:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and not _is_reference_list(text):
                yield Passage(f"{path.name} cell {cell.get('id', '?')}", text)
    for path in sorted((root / "data").rglob("*.yaml")):
        if "references" in path.parts:
            continue
        yield from _yaml_strings(yaml.safe_load(path.read_text("utf-8")), path.name)
    documents = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    documents += sorted((root / "data").rglob("README.md"))
    for path in documents:
        if path.name == "instructor-guide.md" or not path.exists():
            continue
        text = path.read_text("utf-8")
        cut = re.search(r"^## References\s*$", text, flags=re.MULTILINE)
        yield Passage(str(path.relative_to(root)), text[: cut.start()] if cut else text)


def shared_runs(passage: Passage, prints: set[str]) -> list[str]:
    """The runs of 8+ words this passage shares with a source text, outside quotation marks,
    merged into maximal runs and given in the passage's own words."""
    tokens = words(unquoted(passage.text))
    hits = [start for start, run in runs(tokens) if fingerprint(run) in prints]
    merged: list[tuple[int, int]] = []
    for start in hits:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], start + RUN)
        else:
            merged.append((start, start + RUN))
    return [" ".join(tokens[a:b]) for a, b in merged]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.copycheck", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("build", help="rebuild the fingerprints from the source texts")
    make.add_argument("--whole", type=Path, nargs="*", default=[])
    make.add_argument("--quotes", type=Path, nargs="*", default=[])
    sub.add_parser("check", help="list every run of 8+ words the course shares with a source")
    args = parser.parse_args(argv)
    if args.command == "build":
        prints = build(args.whole, args.quotes)
        header = [
            "# Fingerprints of the source texts for the copy check (tests/copycheck.py): a",
            "# 16-hex-digit SHA-256 prefix of each run of 8 words, in no particular order. The",
            "# texts are the course's source article and the passages its reference fact sheets",
            "# quote; they are not shipped with the course. Rebuild with",
            "# python -m tests.copycheck build --whole ARTICLE --quotes FACT-SHEET ...",
        ]
        FINGERPRINTS.write_text("\n".join(header + sorted(prints)) + "\n", encoding="utf-8")
        print(f"wrote {len(prints)} fingerprints to {FINGERPRINTS.relative_to(ROOT)}")
        return 0
    prints = load_fingerprints()
    found = 0
    for passage in course_passages():
        for run in shared_runs(passage, prints):
            found += 1
            print(f"{passage.where}: {run}")
    print(f"{found} shared run(s)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
