"""What one vignette must satisfy: the vignette schema, then the rules of its exercise kind that
the schema cannot say in plain words (one function per kind, in ``KIND_RULES``).

The best path through a dialogue is defined here once: from the start, the best choice at each
step (the largest total effect, the first on a tie) until an ending. The bank checks its length;
the instructor guide prints it; the fairness figures use the best choice of each step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers.bank.model import Problem, _plural
from helpers.bank.yamlfile import YamlMap, line_of
from helpers.schemas import findings, validator

MIN_DIALOGUE_TURNS = 3


def schema_problems(name: str, vid: str | None, raw: YamlMap) -> list[Problem]:
    """What the vignette schema rejects in one vignette, each with its line in the file."""
    return [
        Problem(name, line_of(raw, found.path), vid, found.field or None, found.message)
        for found in findings(validator("vignette", "#/$defs/vignette"), raw)
    ]


class Found(list):
    """The problems the rules find in one vignette's exercise."""

    def __init__(self, name: str, vid: str | None) -> None:
        super().__init__()
        self.name, self.vid = name, vid

    def add(self, line: int | None, where: str, message: str) -> None:
        self.append(Problem(self.name, line, self.vid, where, message))

    def repeated_id(self, item: YamlMap, where: str, what: str) -> None:
        """An option or step whose id an earlier one in the same list has already."""
        self.add(
            item.key_lines.get("id"),
            f"{where}.id",
            f"{what} id '{item['id']}' is used twice — give each {what} its own id",
        )


def kind_problems(name: str, vid: str | None, raw: YamlMap) -> list[Problem]:
    """The rules of the vignette's exercise kind (for a vignette the schema accepts)."""
    exercise = raw["exercise"]
    found = Found(name, vid)
    rules = KIND_RULES.get(exercise["kind"])
    if rules is not None:
        rules(exercise, found)
    return list(found)


def choose_rules(ex: YamlMap, found: Found) -> None:
    """Exactly one best option, and each option its own id."""
    options = ex["options"]
    best = [i for i, o in enumerate(options) if o.get("best") is True]
    if not best:
        found.add(
            ex.key_lines.get("options"),
            "exercise.options",
            "no option has 'best: true' — mark exactly one option as the best response",
        )
    elif len(best) > 1:
        ids = ", ".join(f"'{options[i]['id']}'" for i in best)
        found.add(
            options.item_lines[best[1]],
            "exercise.options",
            f"{len(best)} options ({ids}) have 'best: true' — exactly one option can be "
            "the best response; set the others to 'best: false'",
        )
    seen: dict[str, int] = {}
    for i, option in enumerate(options):
        oid = option["id"]
        if oid in seen:
            found.repeated_id(option, f"exercise.options[{i}]", "option")
        seen[oid] = i


def spot_rules(ex: YamlMap, found: Found) -> None:
    """At least one line of the transcript is a rupture."""
    lines = ex["transcript"]
    if all(line["rupture"] == "none" for line in lines):
        found.add(
            ex.key_lines.get("transcript"),
            "exercise.transcript",
            "no line has a rupture — mark at least one line 'rupture: withdrawal' or "
            "'rupture: confrontation'",
        )


def practice_rules(ex: YamlMap, found: Found) -> None:
    """The easier and harder links name another vignette (that it exists is a bank check)."""
    for link in ("easier", "harder"):
        if ex.get(link) == found.vid:
            found.add(
                ex.key_lines.get(link),
                f"exercise.{link}",
                "points to this same vignette — name a different practice vignette",
            )


def dialogue_rules(ex: YamlMap, found: Found) -> None:
    """A graph a trainee can walk: unique step ids, each step either choices or an ending,
    every step reached from the start, no loop without a way out, and a best path of at
    least ``MIN_DIALOGUE_TURNS`` turns."""
    steps: dict[str, YamlMap] = {}
    index: dict[str, int] = {}
    for i, step in enumerate(ex["steps"]):
        sid = step["id"]
        if sid in steps:
            found.repeated_id(step, f"exercise.steps[{i}]", "step")
            continue
        steps[sid], index[sid] = step, i
        has_choices, has_ending = "choices" in step, "ending" in step
        if has_choices and has_ending:
            found.add(
                step.line,
                f"exercise.steps[{i}]",
                f"step '{sid}' has both 'choices' and 'ending' — a step either offers "
                "choices or ends the dialogue",
            )
        elif not has_choices and not has_ending:
            found.add(
                step.line,
                f"exercise.steps[{i}]",
                f"step '{sid}' has neither 'choices' nor 'ending' — add the counselor's "
                "choices, or an 'ending' that sums up what happened to the alliance",
            )
    if ex["start"] not in steps:
        found.add(
            ex.key_lines.get("start"),
            "exercise.start",
            f"start step '{ex['start']}' does not exist — use one of: {', '.join(steps)}",
        )
    for sid, step in steps.items():
        for j, choice in enumerate(step.get("choices", ())):
            if choice["next"] not in steps:
                found.add(
                    choice.key_lines.get("next"),
                    f"exercise.steps[{index[sid]}].choices[{j}].next",
                    f"leads to step '{choice['next']}', which does not exist — use one of: "
                    f"{', '.join(steps)}",
                )
    if found:
        return
    # reachability and endings: walk from start
    reached: set[str] = set()
    todo = [ex["start"]]
    while todo:
        sid = todo.pop()
        if sid not in reached:
            reached.add(sid)
            todo += [c["next"] for c in steps[sid].get("choices", ())]
    for sid, step in steps.items():
        if sid not in reached:
            found.add(
                step.line,
                f"exercise.steps[{index[sid]}]",
                f"step '{sid}' cannot be reached from the start — point a choice's 'next' at "
                "it, or remove it",
            )
    trapped = _trapped_steps(steps, reached)
    for sid in trapped:
        found.add(
            steps[sid].line,
            f"exercise.steps[{index[sid]}]",
            f"from step '{sid}' no path reaches an ending (the choices only loop back) — "
            "give it a choice that leads towards an ending step",
        )
    if trapped:
        return
    turns = sum(1 for _, choice in best_path(ex) if choice is not None)
    if turns < MIN_DIALOGUE_TURNS:
        found.add(
            ex.key_lines.get("steps"),
            "exercise.steps",
            f"the best path (the choice with the largest total effect at each step) ends after "
            f"{_plural(turns, 'turn')} — a dialogue needs at least {MIN_DIALOGUE_TURNS}",
        )


KIND_RULES: dict[str, Callable[[YamlMap, Found], None]] = {
    "choose": choose_rules,
    "spot": spot_rules,
    "practice": practice_rules,
    "dialogue": dialogue_rules,
}


def _trapped_steps(steps: dict[str, YamlMap], reached: set[str]) -> list[str]:
    """Reachable steps from which no ending can be reached (a loop with no way out).

    Loops that can be left (a repair that returns to an earlier moment) are fine.
    """
    can_end = {sid for sid, step in steps.items() if "choices" not in step}
    changed = True
    while changed:
        changed = False
        for sid, step in steps.items():
            if sid not in can_end and any(c["next"] in can_end for c in step["choices"]):
                can_end.add(sid)
                changed = True
    return [sid for sid in steps if sid in reached and sid not in can_end]


def best_choice(choices: list[dict[str, Any]]) -> int:
    """The file place of a dialogue step's best choice: the largest total effect (the first
    one on a tie)."""
    totals = [sum(int(v) for v in (c.get("effect") or {}).values()) for c in choices]
    return totals.index(max(totals))


def best_path(exercise: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """The best path through a dialogue: from the start, the best choice at each step.

    Returns (step, choice taken) pairs; the last pair is the ending reached, with ``None``. A
    path whose best choice leads back to a step already on it stops before repeating it.
    """
    steps = {step["id"]: step for step in exercise.get("steps", [])}
    path: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    seen: set[str] = set()
    step = steps.get(exercise.get("start", ""))
    while step is not None and step["id"] not in seen:
        seen.add(step["id"])
        choices = step.get("choices")
        if not choices:
            path.append((step, None))
            break
        choice = choices[best_choice(choices)]
        path.append((step, choice))
        step = steps.get(choice["next"])
    return path
