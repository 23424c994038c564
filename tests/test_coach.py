"""The response coach: what it reads in a reply, its command line, its cache, and that it stays
on the trainee's machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers.coach import model as coach_model
from helpers.coach.corpus import LABELS, load_corpus

ROOT = Path(__file__).resolve().parents[1]
ALLIANCE = str(Path(sys.executable).parent / "alliance")


@pytest.fixture(scope="module")
def coach() -> coach_model.Model:
    return coach_model.get_model()


def run_coach(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ALLIANCE, "coach", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            "It sounds like you're exhausted. What would help right now?",
            {"reflection", "open_question"},
        ),
        ("You should just tell him how you feel.", {"advice"}),
        ("Don't worry, it'll all be fine in the end.", {"reassurance"}),
        (
            "When I went through my divorce I cried for a year, honestly it was the worst time of "
            "my life.",
            {"self_focus"},
        ),
        ("It makes complete sense that you're angry about that.", {"validation"}),
        ("Did you tell anyone?", {"closed_question"}),
        ("I think I rushed you just now, sorry. How is this going for you?", {"repair"}),
    ],
)
def test_the_coach_names_the_kinds_of_response_a_reply_carries(coach, reply, expected):
    reading = coach_model.read(reply, coach)
    assert expected <= set(reading.labels)
    for label in expected:
        assert reading.cues[label], f"no cue words shown for {label}"


def test_every_cue_is_words_from_the_reply(coach):
    reply = "So you feel like nobody listens. Have you tried talking to your tutor?"
    reading = coach_model.read(reply, coach)
    for phrases in reading.cues.values():
        for phrase in phrases:
            assert phrase.lower() in reply.lower()
    for start, end, label in reading.spans:
        assert label in reading.labels and 0 <= start < end <= len(reply)


def test_jsonl_answers_every_line_in_order_and_skips_a_bad_line_with_a_message():
    lines = [
        json.dumps({"client": "I can't sleep.", "response": "What keeps you awake?"}),
        "this is not json",
        json.dumps({"client": "x"}),
        json.dumps({"response": "You need to stop drinking coffee."}),
    ]
    result = run_coach("--jsonl", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert "open_question" in out[0]["labels"] and out[0]["cues"]["open_question"]
    assert out[1]["line"] == 2 and "skipped" in out[1]["error"]
    assert out[2]["line"] == 3 and '"response"' in out[2]["error"]
    assert "advice" in out[3]["labels"]
    assert "Traceback" not in result.stderr


def test_a_person_gets_labels_cue_words_meaning_and_not_a_grade():
    result = run_coach(
        "It makes sense you're scared. What worries you most?",
        "--client",
        "I'm scared of the operation.",
    )
    assert result.returncode == 0, result.stderr
    assert "Validation" in result.stdout and "Open question" in result.stdout
    assert '"makes sense"' in result.stdout or "makes sense" in result.stdout
    assert "not a grade" in result.stdout
    empty = run_coach("   ")
    assert empty.returncode == 2 and "give a reply" in empty.stderr


def test_importing_the_course_or_reading_a_reply_does_not_load_scikit_learn(coach):
    del coach  # trained and cached under this test run's ALLIANCE_HOME
    code = (
        "import sys, helpers\n"
        "helpers.show_vignette\n"
        "assert 'helpers.coach.model' not in sys.modules, 'the coach loaded with the course'\n"
        "from helpers.coach.model import read\n"
        "print(read('So you feel stuck.').labels)\n"
        "assert 'sklearn' not in sys.modules, 'reading a reply imported scikit-learn'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "reflection" in result.stdout


BLOCK_SOCKETS = (
    "import socket\n"
    "def refuse(*a, **k):\n"
    "    raise OSError('network use is not allowed')\n"
    "class Blocked(socket.socket):\n"
    "    connect = connect_ex = sendto = refuse\n"
    "socket.socket = Blocked\n"
    "socket.create_connection = socket.getaddrinfo = refuse\n"
)


def test_the_coach_trains_and_reads_with_the_network_blocked(tmp_path):
    env = dict(os.environ, ALLIANCE_COACH_CACHE=str(tmp_path / "cache"))
    code = BLOCK_SOCKETS + (
        "from helpers.coach.model import read\n"
        "print(read('You should try to get more sleep.').labels)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "advice" in result.stdout
    assert len(list((tmp_path / "cache").glob("coach-all-*.npz"))) == 1


def test_the_same_corpus_gives_the_same_model():
    replies = load_corpus().part("train")[:300]
    first, second = coach_model.train(replies), coach_model.train(replies)
    assert first.vocabulary == second.vocabulary
    assert np.array_equal(first.weights, second.weights)
    assert np.array_equal(first.threshold, second.threshold)


def test_the_cache_is_used_and_rebuilt_when_the_corpus_changes(tmp_path, monkeypatch):
    data = tmp_path / "data"
    for folder in ("coach", "schema"):
        shutil.copytree(ROOT / "data" / folder, data / folder)
    for extra in sorted((data / "coach").glob("replies-*.jsonl"))[1:]:
        extra.unlink()  # a small corpus trains quickly
    monkeypatch.setenv("ALLIANCE_DATA", str(data))
    cache = tmp_path / "cache"
    monkeypatch.setenv("ALLIANCE_COACH_CACHE", str(cache))
    monkeypatch.setattr(coach_model, "_MODEL", None)
    first = coach_model.get_model()
    (cached,) = cache.glob("coach-all-*.npz")
    monkeypatch.setattr(coach_model, "_MODEL", None)
    monkeypatch.setattr(coach_model, "train", lambda replies: pytest.fail("retrained"))
    assert coach_model.get_model().key == first.key  # read back from the cache
    monkeypatch.undo()
    monkeypatch.setenv("ALLIANCE_DATA", str(data))
    monkeypatch.setenv("ALLIANCE_COACH_CACHE", str(cache))
    path = data / "coach" / "replies-01.jsonl"
    path.write_text(path.read_text().replace("sounds", "seems", 1))
    second = coach_model.get_model()
    assert second.key != first.key
    assert [p.name for p in cache.glob("coach-all-*.npz")] == [f"coach-all-{second.key}.npz"]
    assert not cached.exists()
    monkeypatch.setattr(coach_model, "_MODEL", None)


def test_evaluate_reports_every_label_on_the_held_out_split():
    result = run_coach("--evaluate", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["labels"]) == set(LABELS)
    assert data["test_replies"] == len(load_corpus().part("test"))
    for row in data["labels"].values():
        assert 0.0 <= row["f1"] <= 1.0 and -1.0 <= row["kappa"] <= 1.0
    text = run_coach("--evaluate").stdout
    assert "macro-F1" in text and "precision" in text
