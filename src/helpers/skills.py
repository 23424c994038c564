"""The skills task: eight difficult client moments answered before and after the course.

A trainee types a reply to each moment of one form at the start of the course and to the parallel
form at the end. Which form comes first is decided by the trainee's private pseudonym, so about
half a class starts with each form and a harder form cannot pass for growth. Replies stay in the
private store; what may be shared is one score per stage, counted from the response coach's
labels with the rubric below (docs/skills.md), never the replies.

The rubric, per reply (0-4 points; a blank reply scores 0):

- start at 2;
- add one point for each helpful move, at most two: a reflection, an open question, a validation;
  a repair when the client confronts or tests the counselor; a direct question about suicide when
  the client hints at it;
- take off one point for each move that pulls the focus from the client, at most two: advice,
  reassurance, self-focus, judgement.

A form's score is the sum over its eight replies (0-32).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from helpers.paths import data_path
from helpers.schemas import findings, validator

STAGES = ("before", "after")
FORMS = ("A", "B")
ITEM_POINTS = 4
START_POINTS = 2
MOST_MOVES = 2
HELPFUL = ("reflection", "open_question", "validation")
PULLS_FOCUS = ("advice", "reassurance", "self_focus", "judgement")
# Moments in which the client confronts or tests the counselor: talking about the relationship
# (repair) is what they call for.
REPAIR_KINDS = ("hostile", "rupture", "testing")
RISK_KIND = "risk"
ANSWER_KIND = "skills"
CONSENT_KEY = "skills:share"
STAGE_TITLES = {"before": "before the course", "after": "at the end of the course"}
# A direct, plain question about suicide or ending one's life (the course teaches asking in
# plain words; notebook 08).
_ASKS_ABOUT_SUICIDE = re.compile(
    r"\b(suicid\w*|kill(ing)?\s+(your|ur)self|end(ing)?\s+(your|ur)\s+(own\s+)?life|"
    r"tak(e|ing)\s+(your|ur)\s+(own\s+)?life|(hurt|harm)(ing)?\s+(your|ur)self|"
    r"not\s+(want(ing)?\s+to\s+)?(be\s+alive|live|wake\s+up)|thoughts?\s+of\s+(dying|death))",
    re.IGNORECASE,
)

Labeller = Callable[[str, str], Iterable[str]]


@dataclass(frozen=True)
class Moment:
    """One difficult client moment of a form."""

    id: str
    form: str
    kind: str
    context: str
    client: str


@dataclass(frozen=True)
class Scored:
    """One reply read with the rubric."""

    moment: Moment
    response: str
    labels: tuple[str, ...]
    asked_about_suicide: bool
    helpful: tuple[str, ...]
    pulls_focus: tuple[str, ...]
    points: int


def forms_path() -> Path:
    return data_path("skills", "forms.yaml")


@lru_cache(maxsize=1)
def _forms_file() -> dict[str, Any]:
    with open(forms_path(), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def check_forms(path: Path | None = None) -> list[str]:
    """Every problem with the forms file, in plain words (empty when the file is fine).

    Beyond the schema: moment ids are unique and name their form, every kind is listed, and
    the two forms ask the same kinds of moment in the same order (so they are parallel).
    """
    path = path or forms_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return [f"{path.name}: cannot be read as YAML text ({type(error).__name__}); fix the file"]
    found = [
        f"{path.name}: {f.field or 'the file'}: {f.message}"
        for f in findings(validator("skills"), data)
    ]
    if found:
        return found
    kinds = {form: [m["kind"] for m in data["forms"][form]] for form in FORMS}
    for form in FORMS:
        for index, moment in enumerate(data["forms"][form], start=1):
            if moment["id"] != f"{form}{index}":
                found.append(f"{path.name}: forms.{form}[{index}]: its id should be {form}{index}")
            if moment["kind"] not in data["kinds"]:
                found.append(
                    f"{path.name}: forms.{form}[{index}]: kind '{moment['kind']}' is not listed "
                    "under 'kinds'"
                )
    if kinds["A"] != kinds["B"]:
        found.append(
            f"{path.name}: forms A and B must ask the same kinds of moment in the same order, so "
            "the two stages can be compared"
        )
    return found


def load_time_hint() -> int:
    """About how many seconds a reply should take (shown to the trainee, never enforced)."""
    return int(_forms_file()["time_hint_seconds"])


@lru_cache(maxsize=1)
def load_forms() -> dict[str, tuple[Moment, ...]]:
    """The two parallel forms, A and B, in their order."""
    data = _forms_file()
    return {
        form: tuple(
            Moment(
                id=str(item["id"]),
                form=form,
                kind=str(item["kind"]),
                context=str(item["context"]),
                client=str(item["client"]),
            )
            for item in data["forms"][form]
        )
        for form in FORMS
    }


def form_for(stage: str, pseudonym: str, earlier: str | None = None) -> str:
    """The form a trainee answers at a stage: counterbalanced by their private pseudonym.

    ``earlier`` is the form the trainee already answered at the other stage, if any; the two
    stages always get different forms.
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}, not {stage!r}")
    if earlier in FORMS:
        return FORMS[1 - FORMS.index(earlier)]
    digest = hashlib.sha256(f"alliance-skills-order:{pseudonym}".encode()).digest()
    first = FORMS[digest[0] % 2]
    return first if stage == "before" else FORMS[1 - FORMS.index(first)]


def asks_about_suicide(response: str) -> bool:
    """Whether a reply asks plainly about suicide or ending one's life."""
    return bool(_ASKS_ABOUT_SUICIDE.search(response))


def score_reply(moment: Moment, response: str, labeller: Labeller | None = None) -> Scored:
    """Read one reply with the rubric (see the module's docstring)."""
    text = response.strip()
    if not text:
        return Scored(moment, response, (), False, (), (), 0)
    labels = tuple(sorted(set((labeller or coach_labels)(moment.client, text))))
    asked = moment.kind == RISK_KIND and asks_about_suicide(text)
    helpful = [label for label in HELPFUL if label in labels]
    if "repair" in labels and moment.kind in REPAIR_KINDS:
        helpful.append("repair")
    if asked:
        helpful.append("direct question about suicide")
    pulls = tuple(label for label in PULLS_FOCUS if label in labels)
    points = START_POINTS + min(len(helpful), MOST_MOVES) - min(len(pulls), MOST_MOVES)
    return Scored(moment, response, labels, asked, tuple(helpful), pulls, points)


def form_score(scored: Iterable[Scored]) -> int:
    """A form's score: the sum of its replies' points (0-32 for eight moments)."""
    return sum(s.points for s in scored)


def coach_labels(client: str, response: str) -> list[str]:
    """The response coach's labels for one reply (the coach is loaded on first use)."""
    from helpers.coach.model import read

    return list(read(response).labels)


# -- the trainee's saved replies -------------------------------------------------------------


def saved_replies(store: Any) -> dict[str, dict[str, Any]]:
    """The latest saved reply to each moment, by moment id (``{"stage", "form", ...}``)."""
    latest: dict[str, dict[str, Any]] = {}
    for answer in store.answers():
        if answer.kind != ANSWER_KIND or not answer.readable:
            continue
        moment = str(answer.answer.get("moment", ""))
        if moment:
            latest[moment] = dict(answer.answer)
    return latest


def _finished_records(store: Any) -> dict[str, dict[str, Any]]:
    done: dict[str, dict[str, Any]] = {}
    for answer in store.answers():
        if answer.kind == ANSWER_KIND and answer.readable and answer.answer.get("finished"):
            stage, form = answer.answer.get("stage"), answer.answer.get("form")
            if stage in STAGES and form in FORMS:
                done[str(stage)] = dict(answer.answer)
    return done


def finished_stages(store: Any) -> dict[str, str]:
    """The stages the trainee finished, with the form of each."""
    return {stage: str(record["form"]) for stage, record in _finished_records(store).items()}


def stage_form(store: Any, stage: str, pseudonym: str) -> str:
    """The form of a stage for this trainee, keeping whatever they already started."""
    started = {r.get("stage"): r.get("form") for r in saved_replies(store).values()}
    started.update(finished_stages(store))
    if started.get(stage) in FORMS:
        return str(started[stage])
    other = STAGES[1 - STAGES.index(stage)]
    return form_for(stage, pseudonym, earlier=started.get(other))


def stage_result(
    store: Any, stage: str, labeller: Labeller | None = None
) -> tuple[str, list[Scored]] | None:
    """The form and scored replies of a stage the trainee finished, or ``None``."""
    form = finished_stages(store).get(stage)
    if form is None:
        return None
    replies = saved_replies(store)
    scored = [
        score_reply(m, str(replies.get(m.id, {}).get("response", "")), labeller)
        for m in load_forms()[form]
    ]
    return form, scored


def shareable_scores(store: Any) -> dict[str, dict[str, Any]]:
    """What a trainee shares if they chose to: each finished stage's form and score, never
    the replies (empty when they did not choose to share)."""
    if not share_consent(store):
        return {}
    shared: dict[str, dict[str, Any]] = {}
    for stage, record in _finished_records(store).items():
        score = record.get("score")
        if isinstance(score, int) and 0 <= score <= ITEM_POINTS * len(load_forms()[record["form"]]):
            shared[stage] = {"form": str(record["form"]), "score": score}
    return shared


def share_consent(store: Any) -> bool:
    """Whether the trainee chose to share their skills scores with a reflection."""
    choice = False
    for answer in store.answers(CONSENT_KEY):
        if answer.kind == ANSWER_KIND and answer.readable:
            choice = bool(answer.answer.get("share"))
    return choice


def set_share_consent(store: Any, share: bool) -> str:
    """Record the trainee's choice; return '' or one plain sentence saying what went wrong."""
    return _record(store, CONSENT_KEY, {"share": bool(share)})


def save_reply(store: Any, stage: str, moment: Moment, response: str, seconds: float) -> str:
    """Save one reply privately; return '' or one plain sentence saying what went wrong."""
    return _record(
        store,
        f"skills:{moment.id}",
        {
            "moment": moment.id,
            "stage": stage,
            "form": moment.form,
            "response": response,
            "seconds": round(max(0.0, seconds)),
        },
    )


def save_finished(store: Any, stage: str, form: str, score: int | None = None) -> str:
    """Mark a stage finished, with its score once the coach has read it; return '' or one
    plain sentence saying what went wrong."""
    return _record(
        store, f"skills:{stage}", {"stage": stage, "form": form, "finished": True, "score": score}
    )


def stage_score(store: Any, stage: str) -> int | None:
    """The score saved when a stage was finished, if the coach could read it then."""
    score = _finished_records(store).get(stage, {}).get("score")
    return score if isinstance(score, int) else None


def _record(store: Any, key: str, answer: dict[str, Any]) -> str:
    try:
        store.record_answer(key, ANSWER_KIND, answer)
    except (sqlite3.Error, OSError) as error:
        return (
            f"This could not be saved ({error}); your earlier replies are kept. Tell your "
            "instructor if this keeps happening."
        )
    return ""


class Clock:
    """Seconds spent on the moment on screen (a monotonic clock, so tests can replace it)."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._started = now()

    def restart(self) -> None:
        self._started = self._now()

    def seconds(self) -> float:
        return self._now() - self._started
