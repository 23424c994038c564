"""What the class view can say about skill: the skills snapshot and first attempts.

Two views, each under the same privacy rules as every class view (``helpers.classview``):

- ``skills``: trainees who shared both skills snapshots (before and after the course), paired.
  Shown: each stage's median and quartiles, the median change, and how many rose. Hidden below
  5 paired trainees (S1); below 10, "how many rose" is a 20-point range (S3/S5).
- ``first_choices``: per *choose* vignette (by title), the share of trainees whose FIRST answer
  was the best response: one number per vignette, so a rare wrong option is never a cell of its
  own. Hidden below 5 trainees (S1); below 10, a 20-point range (S3/S5).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.classview import (
    COARSE,
    HIDDEN,
    MIN_TRAINEES,
    SHOWN,
    SMALL_GROUP,
    ClassData,
    Note,
    View,
    _frame,
    share_range_label,
    trainees,
)

SKILLS_MEASURE = "skills"
STAGES = ("before", "after")
SKILLS_MAX = 32  # eight moments of 0-4 points (helpers.skills)


def skills_table(data: ClassData | pd.DataFrame | None = None) -> View:
    """Paired before/after skills-snapshot scores, over trainees who shared both."""
    frame = _frame(data)
    rows = frame.loc[frame["measure"] == SKILLS_MEASURE, ["trainee", "session", "item", "score"]]
    rows = rows.sort_values("session", kind="stable").drop_duplicates(
        ["trainee", "item"], keep="last"
    )
    wide = rows.pivot(index="trainee", columns="item", values="score")
    paired = wide.dropna(subset=[s for s in STAGES if s in wide.columns])
    if not set(STAGES) <= set(wide.columns):
        paired = paired.iloc[0:0]
    n = len(paired)
    columns = ["stage", "median", "q1", "q3", "n", "status"]
    if n < MIN_TRAINEES:
        note = Note(
            "Hidden",
            f"skills snapshot before and after ({trainees(n)} shared both)",
            "fewer than 5 trainees",
        )
        return View("skills", pd.DataFrame(columns=columns), n, [note])
    table = pd.DataFrame(
        [
            (
                stage,
                float(paired[stage].median()),
                float(paired[stage].quantile(0.25)),
                float(paired[stage].quantile(0.75)),
                n,
                SHOWN,
            )
            for stage in STAGES
        ],
        columns=columns,
    )
    change = paired["after"] - paired["before"]
    rose = float((change > 0).mean())
    stats = {"median_change": float(change.median()), "rose": rose, "rose_label": ""}
    notes: list[Note] = []
    if n < SMALL_GROUP:
        low, high, label = share_range_label(rose)
        stats.update(rose=np.nan, rose_low=low, rose_high=high, rose_label=label)
        table["status"] = COARSE
        notes.append(
            Note(
                "Coarsened",
                f"skills snapshot ({trainees(n)})",
                "fewer than 10 trainees, so the share who rose is a 20-point range",
            )
        )
    else:
        stats["rose_label"] = f"{round(rose * 100)} %"
    if isinstance(data, ClassData):
        table, notes = _with_rubric(data, paired.index, table, notes)
    return View("skills", table, n, notes, stats=pd.DataFrame([stats]))


def _with_rubric(data: ClassData, paired, table: pd.DataFrame, notes: list[Note]):
    """The instructor's rubric scores (helpers.rubric) as two more rows, once every trainee
    in the view has one at both stages: the same trainees as the coach's scores, so the
    release log that guards them guards these too, and none is left out to be worked out."""
    from helpers.rubric import rubric_scores

    scores = rubric_scores(data)
    if scores.empty:
        return table, notes
    scored = scores.reindex(paired).dropna()
    if len(scored) < len(paired):
        note = Note(
            "Hidden",
            f"your rubric scores ({trainees(len(scored))} of {trainees(len(paired))} scored "
            "at both stages)",
            "shown once every trainee in the chart has one",
        )
        return table, [*notes, note]
    status = table["status"].iloc[0]
    extra = pd.DataFrame(
        [
            (
                f"rubric {stage}",
                float(scored[stage].median()),
                float(scored[stage].quantile(0.25)),
                float(scored[stage].quantile(0.75)),
                len(scored),
                status,
            )
            for stage in STAGES
        ],
        columns=table.columns,
    )
    return pd.concat([table, extra], ignore_index=True), notes


@lru_cache(maxsize=1)
def _choose_vignettes() -> dict[str, tuple[str, frozenset[str]]]:
    """Each choose vignette's title and its best option ids (from the course's bank)."""
    from helpers.bank import load_bank
    from helpers.classview import _known_options

    titles = {vid: str(v.title) for vid, v in load_bank().vignettes.items()}
    return {
        vid: (titles.get(vid, vid), frozenset(o for o, best in options if best))
        for vid, options in _known_options().items()
    }


def first_choices_table(data: ClassData | pd.DataFrame | None = None) -> View:
    """Per choose vignette, the share of trainees whose first answer was the best one."""
    frame = _frame(data)
    columns = ["vignette", "title", "n", "share", "share_low", "share_high", "label", "status"]
    if "first_option" not in frame.columns:
        note = Note("Hidden", "first attempts", "this class table has no first answers")
        return View("first_choices", pd.DataFrame(columns=columns), 0, [note])
    chosen = frame.loc[
        (frame["measure"] == "choice") & frame["first_option"].astype(str).ne(""),
        ["trainee", "session", "item", "first_option"],
    ]
    chosen = chosen.sort_values("session", kind="stable").drop_duplicates(
        ["trainee", "item"], keep="first"
    )
    known = _choose_vignettes()
    rows, notes = [], []
    for vignette, part in chosen.groupby("item", observed=True):
        vignette = str(vignette)
        title, best = known.get(vignette, (vignette, frozenset()))
        if not best:
            continue
        n = int(part["trainee"].nunique())
        share = float(part["first_option"].astype(str).isin(best).mean())
        if n < MIN_TRAINEES:
            rows.append((vignette, title, n, np.nan, np.nan, np.nan, HIDDEN, HIDDEN))
            notes.append(Note("Hidden", f"{title} ({trainees(n)})", "fewer than 5 trainees"))
        elif n < SMALL_GROUP:
            low, high, label = share_range_label(share)
            rows.append((vignette, title, n, np.nan, low, high, label, COARSE))
            notes.append(
                Note(
                    "Coarsened",
                    f"{title} ({trainees(n)})",
                    "fewer than 10 trainees, so the share is a 20-point range",
                )
            )
        else:
            rows.append((vignette, title, n, share, share, share, f"{round(share * 100)} %", SHOWN))
    table = pd.DataFrame(rows, columns=columns).sort_values("title", kind="stable")
    return View(
        "first_choices", table.reset_index(drop=True), int(chosen["trainee"].nunique()), notes
    )


# ----------------------------------------------------------------------------- headline figures


def headline_figures(data: ClassData) -> list[tuple[str, bool]]:
    """The figures a seminar comes to the class view for, each with whether it is shown.

    One per guideline for the profile (its median), the self-partner gap and each session the
    class held (a session at least half the class took part in) on the change chart; the first
    and the last such session of each check-in; the skills snapshot; and each choose vignette's
    first answers. A session only a few trainees reached is not a class figure, and the
    per-option breakdown of latest answers is detail, not a headline.
    """
    from helpers.classview import VIEWS, view_of

    views = {name: view_of(name, data) for name in VIEWS}
    figures: list[tuple[str, bool]] = [("skills snapshot", not views["skills"].suppressed)]
    stats = views["profile"].stats
    for row in stats.itertuples() if stats is not None else ():
        figures.append((f"profile median: {row.guideline}", bool(pd.notna(row.median))))
    frame = data.frame
    per_session = frame.groupby("session")["trainee"].nunique()
    held = set(per_session[per_session * 2 >= max(int(frame["trainee"].nunique()), 1)].index)
    change = views["change"].table
    for cell in change.itertuples():
        if cell.session in held:
            figures.append(
                (f"change: {cell.guideline}, session {cell.session}", cell.status != HIDDEN)
            )
    gaps = views["self_vs_partner"].table
    for cell in gaps.itertuples():
        if cell.session in held:
            figures.append(
                (f"self-partner: {cell.guideline}, session {cell.session}", cell.status != HIDDEN)
            )
    for cell in views["checkins"].table.itertuples():
        figures.append((f"check-in: {cell.checkin}, {cell.when}", cell.status != HIDDEN))
    for cell in views["first_choices"].table.itertuples():
        figures.append((f"first answers: {cell.title}", cell.status != HIDDEN))
    return figures
