"""The skills task: parallel forms, counterbalancing, the rubric, and the task on screen."""

from __future__ import annotations

import html
import re
import secrets
from pathlib import Path

import ipywidgets as widgets
import pytest
import yaml

from helpers import skills
from helpers.skills_view import SkillsTask, results_html, skills_task
from helpers.store import Store

REFLECTS = ("sounds", "you're feeling", "so you")


def simple_labeller(client: str, response: str) -> list[str]:
    """A stand-in for the coach that reads a few cue words, so the rubric can be checked alone."""
    text = response.lower()
    labels = []
    if any(cue in text for cue in REFLECTS):
        labels.append("reflection")
    if re.search(r"\b(what|how)\b.*\?", text):
        labels.append("open_question")
    if "you should" in text:
        labels.append("advice")
    if "don't worry" in text:
        labels.append("reassurance")
    if "when i " in text:
        labels.append("self_focus")
    if "i rushed" in text:
        labels.append("repair")
    return labels or ["information"]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "alliance.sqlite3")


def text_of(widget: widgets.Widget) -> str:
    parts = []
    stack = [widget]
    while stack:
        node = stack.pop()
        if isinstance(node, widgets.HTML):
            parts.append(re.sub(r"<[^>]+>", " ", node.value))
        stack.extend(getattr(node, "children", ()))
    return " ".join(" ".join(parts).split())


def test_the_course_forms_are_valid_and_parallel():
    assert skills.check_forms() == []
    forms = skills.load_forms()
    assert len(forms["A"]) == len(forms["B"]) >= 8
    assert [m.kind for m in forms["A"]] == [m.kind for m in forms["B"]]
    kinds = {m.kind for m in forms["A"]}
    assert {"hostile", "tearful", "testing", "rupture", "risk"} <= kinds
    clients = [m.client for f in forms.values() for m in f]
    assert len(set(clients)) == len(clients), "every moment is its own client line"


def test_forms_that_are_not_parallel_are_reported(tmp_path):
    data = yaml.safe_load(skills.forms_path().read_text(encoding="utf-8"))
    data["forms"]["B"][0], data["forms"]["B"][1] = data["forms"]["B"][1], data["forms"]["B"][0]
    data["forms"]["A"][2]["kind"] = "sulking"
    broken = tmp_path / "forms.yaml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    problems = " | ".join(skills.check_forms(broken))
    assert "its id should be B1" in problems
    assert "kind 'sulking' is not listed" in problems
    assert "same kinds of moment in the same order" in problems


def test_a_schema_problem_names_the_field(tmp_path):
    data = yaml.safe_load(skills.forms_path().read_text(encoding="utf-8"))
    del data["forms"]["A"][3]["client"]
    broken = tmp_path / "forms.yaml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    problems = skills.check_forms(broken)
    assert problems and all("forms.yaml" in p for p in problems)
    assert any("client" in p for p in problems)


def test_forms_are_counterbalanced_across_trainees_and_differ_between_stages():
    firsts = []
    for _ in range(400):
        token = secrets.token_urlsafe(16)
        before, after = skills.form_for("before", token), skills.form_for("after", token)
        assert {before, after} == {"A", "B"}
        assert skills.form_for("before", token) == before, "stable for one trainee"
        firsts.append(before)
    assert 0.4 < firsts.count("A") / len(firsts) < 0.6


def test_the_other_stage_takes_the_form_not_yet_answered():
    token = "same-trainee-token-123"
    first = skills.form_for("before", token)
    other = "B" if first == "A" else "A"
    assert skills.form_for("after", token, earlier=other) == first


def test_rubric_counts_moves_toward_and_away_from_the_client():
    hostile = skills.load_forms()["A"][0]
    good = skills.score_reply(
        hostile, "It sounds like you feel stuck. What would change look like?", simple_labeller
    )
    assert good.points == 4 and good.helpful == ("reflection", "open_question")
    poor = skills.score_reply(hostile, "Don't worry, you should give it time.", simple_labeller)
    assert poor.points == 0 and poor.pulls_focus == ("advice", "reassurance")
    mixed = skills.score_reply(
        hostile, "It sounds hard, but you should try harder.", simple_labeller
    )
    assert mixed.points == 2
    assert skills.score_reply(hostile, "   ", simple_labeller).points == 0


def test_repair_counts_when_the_client_confronts_the_counselor_only():
    forms = skills.load_forms()
    rupture = next(m for m in forms["A"] if m.kind == "rupture")
    ambivalent = next(m for m in forms["A"] if m.kind == "ambivalent")
    reply = "I rushed you last week."
    assert skills.score_reply(rupture, reply, simple_labeller).points == 3
    assert skills.score_reply(ambivalent, reply, simple_labeller).points == 2


def test_the_risk_moment_rewards_a_plain_question_about_suicide():
    risk = next(m for m in skills.load_forms()["B"] if m.kind == "risk")
    plain = skills.score_reply(risk, "Are you having thoughts of suicide?", simple_labeller)
    vague = skills.score_reply(risk, "Are you okay?", simple_labeller)
    assert plain.asked_about_suicide and plain.points == 3
    assert not vague.asked_about_suicide and vague.points == 2
    assert skills.asks_about_suicide("are u thinking about killing urself")
    assert not skills.asks_about_suicide("How did your week go?")


def answer_all(task: SkillsTask, reply: str) -> None:
    for _ in task.moments:
        task.reply.value = reply
        task.forward.click()


def test_the_task_saves_each_reply_as_it_is_typed_and_resumes_where_it_stopped(store):
    task = SkillsTask("before", store, "token-for-a-trainee-1", simple_labeller)
    assert "Moment 1 of 8" in text_of(task)
    task.reply.value = "It sounds like nothing has moved."
    assert "Saved." in text_of(task)
    task.forward.click()
    assert "Moment 2 of 8" in text_of(task)
    saved = skills.saved_replies(store)
    first = task.moments[0].id
    assert saved[first]["response"] == "It sounds like nothing has moved."
    assert saved[first]["stage"] == "before" and saved[first]["form"] == task.form

    again = SkillsTask("before", store, "token-for-a-trainee-1", simple_labeller)
    assert "Moment 2 of 8" in text_of(again), "a return visit resumes at the first blank moment"
    again.back.click()
    assert again.reply.value == "It sounds like nothing has moved."


def test_finishing_shows_each_reply_what_the_coach_noticed_and_the_total(store):
    task = SkillsTask("before", store, "token-for-a-trainee-2", simple_labeller)
    answer_all(task, "It sounds like a lot. What feels hardest?")
    shown = text_of(task)
    assert "32 of 32" in shown
    assert "reflection, open question" in shown
    assert task.steps.layout.display == "none"
    assert skills.finished_stages(store) == {"before": task.form}
    assert skills.shareable_scores(store) == {}, "nothing is shared unless the trainee chooses"
    task.share.value = True
    assert "never my replies" in task.share.description
    assert skills.shareable_scores(store) == {"before": {"form": task.form, "score": 32}}
    task.share.value = False
    assert skills.shareable_scores(store) == {}


def test_the_end_of_course_stage_uses_the_other_form(store):
    before = SkillsTask("before", store, "token-for-a-trainee-3", simple_labeller)
    answer_all(before, "You should relax.")
    after = SkillsTask("after", store, "token-for-a-trainee-3", simple_labeller)
    assert after.form != before.form
    answer_all(after, "So you feel torn. How do you see it?")
    assert skills.stage_score(store, "before") == 8
    assert skills.stage_score(store, "after") == 32
    after.share.value = True
    assert set(skills.shareable_scores(store)) == {"before", "after"}


def test_what_may_be_shared_never_holds_the_replies(store):
    task = SkillsTask("before", store, "token-for-a-trainee-4", simple_labeller)
    answer_all(task, "A very private sentence about my own life.")
    task.share.value = True
    shared = repr(skills.shareable_scores(store))
    assert "private sentence" not in shared


def test_the_stored_text_of_the_task_does_not_depend_on_the_trainee(store, tmp_path):
    one = SkillsTask("before", store, "token-for-a-trainee-5", simple_labeller)
    two = SkillsTask(
        "before", Store(tmp_path / "other.sqlite3"), "another-token-xyz-9", simple_labeller
    )
    assert repr(one) == repr(two)
    assert "Run this cell" in repr(one) or "run this cell" in repr(one)


def test_a_coach_that_fails_leaves_a_plain_sentence_and_the_replies_saved(store):
    def broken(client: str, response: str) -> list[str]:
        raise RuntimeError("model file damaged")

    task = SkillsTask("before", store, "token-for-a-trainee-6", broken)
    answer_all(task, "It sounds hard.")
    shown = text_of(task)
    assert "Your replies are saved" in shown and "Traceback" not in shown
    assert len([r for r in skills.saved_replies(store).values() if r["response"]]) == 8


def test_a_store_that_cannot_be_used_gets_one_plain_sentence(monkeypatch, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    monkeypatch.setenv("ALLIANCE_HOME", str(blocked))
    widget = skills_task("before")
    assert isinstance(widget, widgets.HTML)
    assert "Traceback" not in widget.value and widget.value


def test_results_table_has_a_caption_and_column_headers(store):
    forms = skills.load_forms()
    scored = [skills.score_reply(m, "It sounds hard.", simple_labeller) for m in forms["A"]]
    markup = results_html("before", "A", scored)
    assert "<caption>" in markup and markup.count('scope="col"') == 4


def test_my_skills_sets_the_two_stages_side_by_side_with_my_own_words(store):
    from helpers.skills_view import comparison_html

    assert "not finished the skills snapshot" in comparison_html(store, simple_labeller)
    before = SkillsTask("before", store, "token-for-a-trainee-7", simple_labeller)
    answer_all(before, "Don't worry about it.")
    halfway = comparison_html(store, simple_labeller)
    assert "Still to do: the snapshot at the end of the course" in halfway
    after = SkillsTask("after", store, "token-for-a-trainee-7", simple_labeller)
    answer_all(after, "It sounds painful. How are you coping?")
    both = html.unescape(re.sub(r"<[^>]+>", " ", comparison_html(store, simple_labeller)))
    assert "Don't worry about it." in both and "How are you coping?" in both
    assert "8 of 32" in both and "32 of 32" in both
    first_kind = skills.load_forms()["A"][0].kind
    assert first_kind in both


def test_alliance_validate_reports_a_broken_forms_file(tmp_path, monkeypatch, capsys):
    from helpers.cli import main

    data = tmp_path / "data"
    (data / "vignettes").mkdir(parents=True)
    fixture = Path(__file__).parent / "fixtures" / "vignettes" / "examples.yaml"
    (data / "vignettes" / "examples.yaml").write_text(fixture.read_text(encoding="utf-8"))
    (data / "skills").mkdir()
    forms = yaml.safe_load(skills.forms_path().read_text(encoding="utf-8"))
    forms["forms"]["B"].pop()
    (data / "skills" / "forms.yaml").write_text(yaml.safe_dump(forms), encoding="utf-8")
    monkeypatch.setenv("ALLIANCE_DATA", str(data))
    skills._forms_file.cache_clear()
    code = main(["validate"])
    out = capsys.readouterr().out
    assert code == 1
    assert "forms.yaml: forms.B: has 7 items but needs at least 8" in out
