"""The coach's labelled corpus: valid records, a clean held-out split, problems named plainly."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from helpers.coach.corpus import LABELS, corpus_dir, fingerprint, load_corpus, split_of

ROOT = Path(__file__).resolve().parents[1]
ALLIANCE = str(Path(sys.executable).parent / "alliance")


def test_the_shipped_corpus_is_valid_and_uses_only_the_ten_labels():
    corpus = load_corpus()
    assert corpus.problems == []
    assert len(corpus.statements) >= 40
    used = {label for reply in corpus.replies for label in reply.labels}
    assert used == set(LABELS)
    assert all(reply.client for reply in corpus.replies)


def test_no_statement_has_replies_in_both_parts():
    corpus = load_corpus()
    train = {r.statement for r in corpus.part("train")}
    test = {r.statement for r in corpus.part("test")}
    assert train and test and not train & test
    assert 0.15 < len(test) / len(corpus.statements) < 0.35
    assert split_of("s001") == split_of("s001")


def copy_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "coach"
    shutil.copytree(corpus_dir(), folder)
    return folder


def test_a_broken_reply_is_named_with_its_file_and_line(tmp_path):
    folder = copy_corpus(tmp_path)
    path = folder / "replies-01.jsonl"
    lines = path.read_text().splitlines()
    record = json.loads(lines[2])
    record["labels"] = ["reflection", "empathy"]
    lines[2] = json.dumps(record)
    lines.append("{not json")
    path.write_text("\n".join(lines) + "\n")
    problems = load_corpus(folder).problems
    assert any(p.startswith("replies-01.jsonl:3: labels.1:") and "empathy" in p for p in problems)
    assert any(p.startswith(f"replies-01.jsonl:{len(lines)}: not a JSON object") for p in problems)


def test_a_reply_to_an_unknown_statement_is_reported(tmp_path):
    folder = copy_corpus(tmp_path)
    extra = {"id": "s999-01", "statement": "s999", "response": "Say more.", "labels": ["advice"]}
    (folder / "replies-99.jsonl").write_text(json.dumps(extra) + "\n")
    assert "replies-99.jsonl: reply 's999-01' answers unknown statement 's999'" in (
        load_corpus(folder).problems
    )


def test_the_fingerprint_changes_when_a_reply_changes(tmp_path):
    folder = copy_corpus(tmp_path)
    before = fingerprint(folder)
    path = folder / "replies-01.jsonl"
    path.write_text(path.read_text().replace("sounds", "seems", 1))
    assert fingerprint(folder) != before


def test_alliance_validate_checks_the_corpus(tmp_path):
    ok = subprocess.run(
        [ALLIANCE, "validate", "data/coach"], cwd=ROOT, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout
    assert ok.stdout.strip().endswith("statements: OK")
    folder = copy_corpus(tmp_path)
    (folder / "statements.jsonl").write_text('{"id": "s001"}\n')
    bad = subprocess.run([ALLIANCE, "validate", str(folder)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "statements.jsonl:1: record: 'text' is a required property" in bad.stdout


def test_the_second_pass_list_names_test_split_replies_only():
    corpus = load_corpus()
    ids = (corpus_dir() / "second-pass-ids.txt").read_text().split()
    by_id = {r.id: r for r in corpus.replies}
    assert len(ids) >= 300 and ids == sorted(set(ids))
    assert all(by_id[i].split == "test" for i in ids)
    assert set(corpus.second_pass) <= set(ids)


def test_the_corpus_is_the_size_the_coach_guide_promises():
    corpus = load_corpus()
    assert len(corpus.replies) >= 2000 and len(corpus.statements) >= 150
    assert {r.statement for r in corpus.replies} == set(corpus.statements)
    counts = {label: sum(label in r.labels for r in corpus.replies) for label in LABELS}
    assert min(counts.values()) >= 150, counts
    several = sum(len(r.labels) >= 2 for r in corpus.replies) / len(corpus.replies)
    assert 0.4 <= several <= 0.6, f"{several:.0%} of replies have two or more labels"


def test_no_reply_is_in_both_parts_in_other_punctuation_or_case():
    def words(text: str) -> str:
        return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())

    corpus = load_corpus()
    trained = {words(r.response) for r in corpus.part("train")}
    assert [r.id for r in corpus.part("test") if words(r.response) in trained] == []
