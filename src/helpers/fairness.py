"""Is the bank fair? Whether simple strategies, not clinical judgement, would pass its exercises.

``alliance validate`` prints these figures for every run and a warning for each one past its
limit; ``make test`` fails past the limits (tests/test_fairness.py). The limits and why they
are set where they are: docs/authoring.md, "Fairness of the bank".

Forced-choice items are *choose* vignettes (their options) and dialogue steps with two or more
choices (a step's best choice is the one with the largest total effect). A simple strategy
"wins" an item when it picks that item's best answer:

- **longest**: pick the longest option;
- **only question**: pick the one option that asks a question, when only one does;
- **first**: pick the first option in the file;
- **common place**: pick, in every item, the place where the best answer most often is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from helpers.bank import Bank, Problem, best_choice

# Limits (shares of items, 0-1); docs/authoring.md explains each.
STRATEGY_LIMIT = 0.40  # no simple strategy wins more than 40 % of an exercise kind's items
QUESTION_LIMIT = 0.50  # at most half of the best answers end in a question
NAMED_LIMIT = 1.00  # every piece of feedback names a guideline (rate: goal, task or bond)

GROUPS = ("choose", "dialogue")
STRATEGIES = ("longest", "only question", "first", "common place")
FEEDBACK_KINDS = ("choose", "dialogue", "spot", "rate", "practice")

_GUIDELINE = re.compile(r"\bguidelines?\b", re.IGNORECASE)
_DIMENSION = re.compile(r"\b(goals?|tasks?|bond)\b", re.IGNORECASE)
_CLOSING = "\"'”’)*_ "


@dataclass(frozen=True)
class Item:
    """One forced choice: where it is, the texts offered (file order) and the best one."""

    vignette: str
    step: str | None
    texts: tuple[str, ...]
    best: int

    @property
    def name(self) -> str:
        return self.vignette if self.step is None else f"{self.vignette} step '{self.step}'"


def items(bank: Bank | Iterable[Any], group: str) -> list[Item]:
    """The forced-choice items of one group ("choose" or "dialogue"), in bank order."""
    found: list[Item] = []
    for vignette in bank:
        exercise = vignette.exercise
        if group == "choose" and exercise["kind"] == "choose":
            options = exercise["options"]
            best = next(i for i, o in enumerate(options) if o.get("best"))
            found.append(Item(vignette.id, None, tuple(str(o["text"]) for o in options), best))
        elif group == "dialogue" and exercise["kind"] == "dialogue":
            for step in exercise["steps"]:
                choices = step.get("choices") or []
                if len(choices) >= 2:
                    texts = tuple(str(c["text"]) for c in choices)
                    found.append(Item(vignette.id, str(step["id"]), texts, best_choice(choices)))
    return found


def asks(text: str) -> bool:
    return "?" in text


def ends_with_question(text: str) -> bool:
    return text.rstrip(_CLOSING).endswith("?")


def wins(strategy: str, group_items: list[Item]) -> list[Item]:
    """The items a simple strategy answers right."""
    if strategy == "longest":
        return [i for i in group_items if len(i.texts[i.best]) == max(map(len, i.texts))]
    if strategy == "only question":
        return [i for i in group_items if sum(map(asks, i.texts)) == 1 and asks(i.texts[i.best])]
    if strategy == "first":
        return [i for i in group_items if i.best == 0]
    if strategy == "common place":
        if not group_items:
            return []
        place = Counter(i.best for i in group_items).most_common(1)[0][0]
        return [i for i in group_items if i.best == place]
    raise ValueError(f"unknown strategy {strategy!r}")


def question_endings(group_items: list[Item]) -> list[Item]:
    """Items whose best answer ends in a question (the acknowledge-reflect-ask template)."""
    return [i for i in group_items if ends_with_question(i.texts[i.best])]


def feedback_texts(vignette: Any) -> list[str]:
    """The texts of one vignette that must name a guideline (rate: goal, task or bond)."""
    exercise = vignette.exercise
    kind = exercise["kind"]
    if kind == "choose":
        return [str(o.get("feedback", "")) for o in exercise["options"]]
    if kind == "dialogue":
        return [
            str(c.get("reason", ""))
            for step in exercise["steps"]
            for c in step.get("choices") or []
        ]
    if kind == "spot":
        return [str(line.get("feedback", "")) for line in exercise["transcript"]]
    if kind == "practice":
        return [str(e.get("note", "")) for e in exercise.get("examples", [])]
    if kind == "rate":
        return [str(v) for v in (exercise.get("rationale") or {}).values()]
    return []


def names_guideline(kind: str, text: str) -> bool:
    """Whether a feedback text names what it is about: a guideline (a rate rationale: the
    alliance's goal, task or bond)."""
    pattern = _DIMENSION if kind == "rate" else _GUIDELINE
    return bool(pattern.search(text))


def unnamed(bank: Bank | Iterable[Any], kind: str) -> tuple[int, list[tuple[str, str]]]:
    """How many feedback texts one kind has, and the (vignette, text) pairs naming nothing."""
    total, missing = 0, []
    for vignette in bank:
        if vignette.exercise["kind"] != kind:
            continue
        for text in feedback_texts(vignette):
            total += 1
            if not names_guideline(kind, text):
                missing.append((vignette.id, text))
    return total, missing


def dialogue_flaws(vignette: Any) -> list[str]:
    """Broken conversation shapes: a replayed client line, two client turns in a row, an
    ending the client does not reply to."""
    exercise = vignette.exercise
    flaws: list[str] = []
    if exercise["kind"] in ("rate", "spot"):
        lines = exercise["transcript"]
        for n in range(1, len(lines)):
            if lines[n].get("speaker") == lines[n - 1].get("speaker") == "client":
                flaws.append(f"transcript lines {n} and {n + 1} are two client turns in a row")
        if exercise["kind"] == "spot":
            for n, line in enumerate(lines, start=1):
                if line.get("speaker") != "client" and line.get("rupture", "none") != "none":
                    flaws.append(
                        f"transcript line {n} is the counselor's but is marked as a rupture; "
                        "only client lines can be marked"
                    )
        return flaws
    if exercise["kind"] != "dialogue":
        return flaws
    steps = {str(s["id"]): s for s in exercise["steps"]}
    start = steps.get(str(exercise["start"]))
    says = str(vignette.says or "").strip()
    if start is not None and says and str(start.get("client", "")).strip() != says:
        flaws.append(
            f"the start step's client line differs from 'says', so the client speaks twice "
            f"before the counselor (step '{start['id']}')"
        )
    seen: dict[str, str] = {}
    for sid, step in steps.items():
        line = " ".join(str(step.get("client", "")).split())
        if line and line in seen:
            flaws.append(f"steps '{seen[line]}' and '{sid}' replay the same client line")
        seen.setdefault(line, sid)
        if not step.get("choices") and not line:
            flaws.append(f"ending step '{sid}' is reached with no client reply")
    for sid in _steps_on_a_loop(steps):
        flaws.append(f"step '{sid}' can be reached again from itself, replaying its client line")
    return flaws


def _steps_on_a_loop(steps: dict[str, Any]) -> list[str]:
    looped = []
    for sid in steps:
        todo = [str(c["next"]) for c in steps[sid].get("choices") or []]
        seen: set[str] = set()
        while todo:
            here = todo.pop()
            if here == sid:
                looped.append(sid)
                break
            if here in seen or here not in steps:
                continue
            seen.add(here)
            todo += [str(c["next"]) for c in steps[here].get("choices") or []]
    return looped


@dataclass(frozen=True)
class Figure:
    """One fairness figure: what was counted, how many of how many, and its limit."""

    label: str
    count: int
    total: int
    limit: float
    examples: tuple[str, ...] = ()
    at_most: bool = True  # False: the share must be at least the limit

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        if not self.total:
            return True
        return self.share <= self.limit + 1e-9 if self.at_most else self.share >= self.limit

    def __str__(self) -> str:
        word = "at most" if self.at_most else "at least"
        return (
            f"{self.label}: {self.count} of {self.total} ({self.share:.0%}; "
            f"limit: {word} {self.limit:.0%})"
        )


def figures(bank: Bank | Iterable[Any]) -> list[Figure]:
    """Every fairness figure of the bank, in a fixed order."""
    vignettes = list(bank)
    out: list[Figure] = []
    for group in GROUPS:
        group_items = items(vignettes, group)
        noun = "choose items" if group == "choose" else "dialogue steps"
        for strategy in STRATEGIES:
            won = wins(strategy, group_items)
            out.append(
                Figure(
                    f"{noun} won by the '{strategy}' strategy",
                    len(won),
                    len(group_items),
                    STRATEGY_LIMIT,
                    tuple(i.name for i in won),
                )
            )
        asked = question_endings(group_items)
        out.append(
            Figure(
                f"{noun} whose best answer ends in a question",
                len(asked),
                len(group_items),
                QUESTION_LIMIT,
                tuple(i.name for i in asked),
            )
        )
    for kind in FEEDBACK_KINDS:
        total, missing = unnamed(vignettes, kind)
        what = "name goal, task or bond" if kind == "rate" else "name a guideline"
        out.append(
            Figure(
                f"{kind} feedback texts that {what}",
                total - len(missing),
                total,
                NAMED_LIMIT,
                tuple(sorted({vid for vid, _ in missing})),
                at_most=False,
            )
        )
    return out


def check(bank: Bank) -> list[Problem]:
    """Warnings for ``alliance validate``: each figure past its limit, each broken dialogue."""
    folder = str(bank.files[0]).rsplit("/", 1)[0] + "/" if bank.files else "vignettes"
    problems = []
    for figure in figures(bank):
        if not figure.passed:
            listed = ", ".join(figure.examples[:6])
            more = f" and {len(figure.examples) - 6} more" if len(figure.examples) > 6 else ""
            problems.append(
                Problem(
                    folder,
                    None,
                    None,
                    None,
                    f"fairness: {figure} — {listed}{more}",
                    level="warning",
                )
            )
    for vignette in bank:
        for flaw in dialogue_flaws(vignette):
            problems.append(
                Problem(vignette.file, vignette.line, vignette.id, "exercise", flaw, "warning")
            )
    return problems


def report(bank: Bank) -> list[str]:
    """The figures as lines for ``alliance validate`` ('✓' within the limit, '✗' past it)."""
    lines = ["Fairness of the bank (limits: docs/authoring.md):"]
    for figure in figures(bank):
        lines.append(f"  {'✓' if figure.passed else '✗'} {figure}")
    return lines
