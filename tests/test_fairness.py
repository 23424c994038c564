"""The bank's fairness: simple strategies must not pass the forced-choice exercises, feedback
names the guideline, and dialogues read as real conversations (limits: docs/authoring.md)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from helpers import fairness
from helpers.bank import load_bank


def bank_of(tmp_path: Path, body: str):
    path = tmp_path / "extra.yaml"
    path.write_text("vignettes:\n" + textwrap.indent(textwrap.dedent(body), "  "), "utf-8")
    bank = load_bank([path])
    assert not bank.problems, bank.problems
    return bank


CHOOSE = """
- id: fair-{n:02d}
  title: "Item {n}"
  guidelines: [care]
  dimension: bond
  difficulty: beginner
  context: "A client arrives."
  says: "Hello."
  exercise:
    kind: choose
    prompt: "What do you say?"
    options:
      - id: a
        text: "{a}"
        best: {best_a}
        feedback: "A (guideline: care)."
      - id: b
        text: "{b}"
        best: {best_b}
        feedback: "{feedback}"
    rationale: "Why."
"""


def choose(n: int, a: str, b: str, best: str = "b", feedback: str = "B (guideline: care).") -> str:
    return CHOOSE.format(
        n=n,
        a=a,
        b=b,
        best_a=str(best == "a").lower(),
        best_b=str(best == "b").lower(),
        feedback=feedback,
    )


def figure(bank, label_start: str) -> fairness.Figure:
    return next(f for f in fairness.figures(bank) if f.label.startswith(label_start))


def test_a_bank_where_the_longest_answer_is_best_is_caught(tmp_path):
    body = "".join(
        choose(n, "Short.", "A much longer and kinder sounding answer, you see?") for n in range(5)
    )
    bank = bank_of(tmp_path, body)
    longest = figure(bank, "choose items won by the 'longest'")
    assert (longest.count, longest.total, longest.passed) == (5, 5, False)
    assert figure(bank, "choose items won by the 'only question'").count == 5
    assert figure(bank, "choose items won by the 'common place'").count == 5
    assert figure(bank, "choose items whose best answer ends in a question").count == 5
    assert figure(bank, "choose items won by the 'first'").count == 0
    warnings = [str(p) for p in fairness.check(bank)]
    assert any("'longest' strategy: 5 of 5 (100%; limit: at most 40%)" in w for w in warnings)


def test_a_varied_bank_passes(tmp_path):
    body = (
        choose(1, "A long, careful and well-meant answer that misses her.", "I'm here.")
        + choose(2, "You came anyway.", "Let's just get started, shall we?", best="a")
        + choose(3, "What brings you?", "Tell me more about that, if you want to.", best="a")
        + choose(4, "It sounds hard, and you still came in today.", "Why?", best="a")
        + choose(5, "Maybe next week would suit you better than today?", "Go on.")
    )
    bank = bank_of(tmp_path, body)
    for label in ("longest", "only question"):
        assert figure(bank, f"choose items won by the '{label}'").count <= 2
    assert figure(bank, "choose items whose best answer ends in a question").count == 1
    # with two options per item, a place is always best in at least 3 of 5 items
    assert figure(bank, "choose items won by the 'first'").count == 3


def test_feedback_that_names_no_guideline_is_counted(tmp_path):
    bank = bank_of(tmp_path, choose(1, "Hi.", "Welcome.", feedback="Warm and welcoming."))
    named = figure(bank, "choose feedback texts that name a guideline")
    assert (named.count, named.total, named.passed) == (1, 2, False)
    assert named.examples == ("fair-01",)
    assert fairness.names_guideline("rate", "This keeps the bond intact.")
    assert not fairness.names_guideline("rate", "Nothing here is harsh (guideline: safety).")


DIALOGUE = """
- id: talk-01
  title: "A loop"
  guidelines: [care]
  dimension: bond
  difficulty: advanced
  context: "A client."
  says: "I want to stop."
  exercise:
    kind: dialogue
    start: s1
    alliance: {bond: 5, goals: 5, tasks: 5}
    steps:
      - id: s1
        client: "I want to stop."
        choices:
          - {text: "Go on.", next: s2, effect: {bond: 1}, reason: "Opens (guideline: care)."}
          - {text: "Fine.", next: end, effect: {bond: -1}, reason: "Closes (guideline: care)."}
      - id: s2
        client: "It is hard."
        choices:
          - {text: "Again?", next: s1, effect: {bond: 1}, reason: "Loops (guideline: care)."}
          - {text: "Yes.", next: s3, effect: {bond: 2}, reason: "Stays (guideline: care)."}
      - id: s3
        client: "Thanks."
        choices:
          - {text: "Good.", next: end, effect: {bond: 1}, reason: "Ends (guideline: care)."}
      - id: end
        client: "Bye."
        ending: "It ends."
"""


def test_broken_conversations_are_named(tmp_path):
    bank = bank_of(tmp_path, DIALOGUE)
    flaws = fairness.dialogue_flaws(bank.get("talk-01"))
    assert "step 's1' can be reached again from itself, replaying its client line" in flaws
    shifted = bank_of(tmp_path, DIALOGUE.replace('says: "I want to stop."', 'says: "Hi."'))
    assert any("client speaks twice" in f for f in fairness.dialogue_flaws(shifted.get("talk-01")))


SPOT = """
- id: spot-01
  title: "Two in a row"
  guidelines: [rupture-repair]
  dimension: bond
  difficulty: beginner
  context: "A client."
  says: "Fine."
  exercise:
    kind: spot
    prompt: "Mark each client line."
    transcript:
      - {speaker: client, text: "Fine.", rupture: none, feedback: "Open (guideline: care)."}
      - {speaker: client, text: "No.", rupture: withdrawal, feedback: "Away (guideline: care)."}
      - {speaker: counselor, text: "Hm.", rupture: confrontation, feedback: "No (guideline: care)."}
    rationale: "Watch the client."
"""


def test_transcripts_with_two_client_turns_or_a_marked_counselor_line_are_named(tmp_path):
    bank = bank_of(tmp_path, SPOT)
    flaws = fairness.dialogue_flaws(bank.get("spot-01"))
    assert "transcript lines 1 and 2 are two client turns in a row" in flaws
    assert any("line 3 is the counselor's but is marked as a rupture" in f for f in flaws)


def test_validate_prints_the_fairness_figures_for_the_course_bank(capsys):
    from helpers.cli import main

    main(["validate"])
    out = capsys.readouterr().out
    assert "Fairness of the bank (limits: docs/authoring.md):" in out
    assert "choose items won by the 'longest' strategy:" in out
    assert "rate feedback texts that name goal, task or bond:" in out


def test_the_course_bank_is_within_every_limit():
    course = load_bank()
    failed = [str(f) for f in fairness.figures(course) if not f.passed]
    assert failed == [], "\n".join(failed)
    broken = {v.id: fairness.dialogue_flaws(v) for v in course if fairness.dialogue_flaws(v)}
    assert broken == {}
