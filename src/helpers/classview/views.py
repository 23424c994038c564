"""The class views: each aggregates the class table for one chart of notebook 11, through
the suppression rules, and a view of real data is checked against the release log first."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.classview.model import ClassData, View
from helpers.classview.releases import release
from helpers.classview.suppression import (
    COARSE,
    COARSE_BANDS,
    FINE_BANDS,
    HIDDEN,
    MIN_TRAINEES,
    SHOWN,
    SMALL_GROUP,
    Note,
    _breakdown,
    _session_notes,
    session_stats,
    trainees,
)
from helpers.classview.table import _frame
from helpers.sample import FALLBACK_VIGNETTES
from helpers.vocabulary import RATED_GUIDELINES, display_text

# how a view's notes and charts name the rated guidelines and the check-ins
GUIDELINE_NAMES = {guideline: guideline for guideline in RATED_GUIDELINES}
CHECKIN_NAMES = display_text("checkin_names")


def _ratings(frame: pd.DataFrame, measure: str, role: str | None = None) -> pd.DataFrame:
    mask = frame["measure"] == measure
    if role is not None:
        mask &= frame["role"] == role
    return frame.loc[mask, ["trainee", "session", "role", "item", "score"]]


def _band_of(scores: pd.Series, bands: tuple[tuple[str, int, int], ...]) -> pd.Series:
    rounded = np.floor(scores.to_numpy(dtype=float) + 0.5)
    edges = [low for _, low, _ in bands[1:]]
    index = np.searchsorted(edges, rounded, side="right")
    return pd.Series(np.array([b[0] for b in bands])[index], index=scores.index)


def _profile_cells(
    rated: pd.DataFrame, group_n: pd.Series, bands: tuple[tuple[str, int, int], ...]
) -> tuple[pd.DataFrame, list[Note], float]:
    """The profile's guideline x band cells for one choice of bands, after suppression, and how
    much of the ratings' weight the visible cells show."""
    rated = rated.assign(band=_band_of(rated["score"], bands))
    grid = pd.MultiIndex.from_product(
        [list(RATED_GUIDELINES), [b[0] for b in bands]], names=["guideline", "band"]
    )
    by_cell = rated.groupby(["guideline", "band"])
    cells = pd.DataFrame(
        {"count": by_cell["weight"].sum(), "trainees": by_cell["trainee"].nunique()}
    ).reindex(grid, fill_value=0)
    cells = cells.reset_index()
    cells["n"] = cells["guideline"].map(group_n).fillna(0).astype(int)
    table, notes = _breakdown(cells, "guideline", "band", lambda g: f"{g} ratings")
    return table, notes, float(cells["count"][(table["status"] != HIDDEN).to_numpy()].sum())


def profile_table(data: ClassData | pd.DataFrame | None = None) -> View:
    """The spread of ratings per guideline from the client's chair (all sessions), banded.

    One row per guideline x band: ``count`` (ratings), ``trainees`` (distinct raters), share
    of the guideline's ratings (ranges when coarsened), status. ``stats`` holds per guideline
    trainees, ratings, median and quartiles (NaN where hidden).
    """
    frame = _frame(data)
    rated = _ratings(frame, "guideline", "client")
    n = int(rated["trainee"].nunique())
    rated = rated.assign(guideline=rated["item"].astype(str))
    # S9: every trainee weighs 1 per guideline, however many sessions they rated
    per_trainee = rated.groupby(["guideline", "trainee"], observed=True)["score"].transform("size")
    rated = rated.assign(weight=1.0 / per_trainee.to_numpy(dtype=float))
    group_n = rated.groupby("guideline")["trainee"].nunique()
    # Five bands for 10 or more trainees, unless they would hide a band that three bands show:
    # a seminar then sees every guideline's spread in three bands instead of a hatched chart.
    table, notes, shown = _profile_cells(rated, group_n, COARSE_BANDS)
    if n >= SMALL_GROUP:
        fine, fine_notes, fine_shown = _profile_cells(rated, group_n, FINE_BANDS)
        if fine_shown >= shown:
            table, notes = fine, fine_notes
        else:
            notes.append(
                Note(
                    "Coarsened",
                    f"ratings ({trainees(n)})",
                    "five bands would hide groups of fewer than 5 trainees, so 3 bands",
                )
            )
    elif n >= MIN_TRAINEES:
        notes.append(
            Note("Coarsened", f"ratings ({trainees(n)})", "fewer than 10 trainees, so 3 bands")
        )
    ratings = rated.groupby("guideline")["score"].size()
    # quartiles of the trainees' own averages: one value per trainee (S9)
    scores = (
        rated.groupby(["guideline", "trainee"], observed=True)["score"]
        .mean()
        .groupby(level="guideline")
    )
    stats = pd.DataFrame(
        {
            "n": group_n,
            "ratings": ratings,
            "median": scores.median(),
            "q1": scores.quantile(0.25),
            "q3": scores.quantile(0.75),
        }
    )
    stats = stats.reindex(list(RATED_GUIDELINES)).rename_axis("guideline").reset_index()
    stats[["n", "ratings"]] = stats[["n", "ratings"]].fillna(0).astype(int)
    stats.loc[stats["n"] < MIN_TRAINEES, ["median", "q1", "q3"]] = np.nan
    if n < MIN_TRAINEES:
        notes = [Note("Hidden", f"the class profile ({trainees(n)})", "fewer than 5 trainees")]
    return View("profile", table, n, _dedupe(notes), stats)


def change_table(data: ClassData | pd.DataFrame | None = None) -> View:
    """Partner (client's-chair) ratings per session and guideline: mean and 95 % CI."""
    frame = _frame(data)
    rated = _ratings(frame, "guideline", "client")
    stats = session_stats(rated, ["session", "item"]).rename(columns={"item": "guideline"})
    stats["guideline"] = stats["guideline"].astype(str)
    notes = _session_notes(stats, "guideline", GUIDELINE_NAMES)
    return View("change", stats, int(rated["trainee"].nunique()), notes)


def self_partner_table(data: ClassData | pd.DataFrame | None = None) -> View:
    """Class self-ratings (counselor) against partner ratings (client), per session and
    guideline. The class table does not record who partnered whom, so this compares the two
    groups' averages, not pairs."""
    frame = _frame(data)
    rated = _ratings(frame, "guideline")
    per_trainee = (
        rated.groupby(["session", "item", "role", "trainee"], observed=True)["score"]
        .mean()
        .reset_index()
    )
    grouped = per_trainee.groupby(["session", "item", "role"], observed=True)["score"]
    wide = grouped.agg(n="count", mean="mean", median="median").unstack("role")
    table = pd.DataFrame(index=wide.index)
    for role, label in (("counselor", "self"), ("client", "partner")):
        for stat in ("n", "mean", "median"):
            column = (stat, role)
            table[f"{label}_{stat}"] = wide[column] if column in wide.columns else np.nan
    table = table.reset_index().rename(columns={"item": "guideline"})
    table["guideline"] = table["guideline"].astype(str)
    table[["self_n", "partner_n"]] = table[["self_n", "partner_n"]].fillna(0).astype(int)
    table["n"] = table[["self_n", "partner_n"]].min(axis=1)
    table["status"] = np.where(
        table["n"] < MIN_TRAINEES, HIDDEN, np.where(table["n"] < SMALL_GROUP, COARSE, SHOWN)
    )
    coarse, hidden = table["status"] == COARSE, table["status"] == HIDDEN
    for label in ("self", "partner"):
        centre = table[f"{label}_mean"].where(~coarse, table[f"{label}_median"])
        table[label] = centre.mask(hidden)
    table = table.drop(columns=["self_mean", "self_median", "partner_mean", "partner_median"])
    table["difference"] = table["self"] - table["partner"]
    table["within_1"] = table["difference"].abs() <= 1
    notes = _session_notes(table, "guideline", GUIDELINE_NAMES)
    return View("self_vs_partner", table, int(rated["trainee"].nunique()), notes)


@lru_cache(maxsize=1)
def _known_options() -> dict[str, tuple[tuple[str, bool], ...]]:
    from helpers.sample import choose_vignettes

    known = {vid: tuple(opts) for vid, opts in FALLBACK_VIGNETTES.items()}
    known.update({vid: v.options for vid, v in choose_vignettes().items()})
    return known


def vignette_titles() -> dict[str, str]:
    """Each vignette's title by id, as the course shows it (empty if the bank cannot load)."""
    from helpers.bank import load_bank

    try:
        return {vid: str(v.title) for vid, v in load_bank().vignettes.items()}
    except Exception:  # noqa: BLE001 - the class view then names vignettes by id
        return {}


def _name_the_option(note: Note, vignettes: set[str]) -> Note:
    """ "“Title”, b (…)" as "“Title”, option b (…)" in a note on one hidden option."""
    if note.action == "Hidden":
        for vignette in vignettes:
            if note.what.startswith(vignette):
                return Note(
                    note.action, vignette + "option " + note.what[len(vignette) :], note.reason
                )
    return note


def choices_table(data: ClassData | pd.DataFrame | None = None) -> View:
    """Each trainee's latest answer on each choose vignette: share per option, best marked."""
    frame = _frame(data)
    chosen = frame.loc[
        frame["measure"] == "choice", ["trainee", "session", "item", "option", "attempts"]
    ]
    # every shared reflection repeats the trainee's answers so far: keep the latest one
    chosen = chosen.sort_values(["session", "attempts"], kind="stable").drop_duplicates(
        ["trainee", "item"], keep="last"
    )
    raw = chosen.groupby(["item", "option"], observed=True).size()
    known = _known_options()
    rows = []
    for vignette in sorted({str(v) for v in raw.index.get_level_values(0)}):
        seen = raw.loc[vignette]
        seen.index = seen.index.astype(str)
        options = known.get(vignette)
        ids = [o for o, _ in options] if options else []
        ids += sorted(o for o in seen.index if o not in ids)
        best = {o: b for o, b in options} if options else {}
        for option in ids:
            count = int(seen.get(option, 0))
            rows.append((vignette, option, best.get(option), count))
    counts = pd.DataFrame(rows, columns=["vignette", "option", "best", "trainees"])
    counts["count"] = counts["trainees"]
    counts["n"] = counts.groupby("vignette")["trainees"].transform("sum")
    titles = vignette_titles()

    def describe(vignette: object) -> str:
        title = titles.get(str(vignette))
        return f"“{title}”" if title else f"vignette {vignette}"

    table, notes = _breakdown(counts, "vignette", "option", describe)
    if "vignette" in table.columns:
        table.insert(1, "title", [titles.get(str(v), str(v)) for v in table["vignette"]])
    named = {describe(v) + ", " for v in counts["vignette"].unique()}
    notes = [_name_the_option(note, named) for note in notes]
    return View("choices", table, int(chosen["trainee"].nunique()), notes)


def checkins_table(data: ClassData | pd.DataFrame | None = None) -> View:
    """The rupture check-ins in the class's first session against its last."""
    frame = _frame(data)
    rated = _ratings(frame, "checkin")
    if rated.empty:
        empty = pd.DataFrame(columns=["session", "checkin", "when", "n", "status"])
        return View("checkins", empty, 0, [Note("Hidden", "check-ins", "none were shared")])
    # the first and last sessions with at least 5 trainees, so one trainee who went on to a
    # further session does not hide the whole chart
    per_session = rated.groupby("session")["trainee"].nunique()
    enough = per_session[per_session >= MIN_TRAINEES].index
    sessions = enough if len(enough) else per_session.index
    first, last = int(min(sessions)), int(max(sessions))
    rated = rated[rated["session"].isin([first, last])]
    stats = session_stats(rated, ["session", "item"]).rename(columns={"item": "checkin"})
    stats["checkin"] = stats["checkin"].astype(str)
    stats["when"] = np.where(stats["session"] == first, "first", "last")
    notes = _session_notes(stats, "checkin", CHECKIN_NAMES)
    return View("checkins", stats, int(rated["trainee"].nunique()), notes)


def _dedupe(notes: list[Note]) -> list[Note]:
    return list(dict.fromkeys(notes))


def _skills_table(data: ClassData | pd.DataFrame | None = None) -> View:
    from helpers.growth import skills_table

    return skills_table(data)


def _first_choices_table(data: ClassData | pd.DataFrame | None = None) -> View:
    from helpers.growth import first_choices_table

    return first_choices_table(data)


VIEWS = {
    "skills": _skills_table,
    "first_choices": _first_choices_table,
    "profile": profile_table,
    "change": change_table,
    "self_vs_partner": self_partner_table,
    "choices": choices_table,
    "checkins": checkins_table,
}


def view_of(name: str, data: ClassData) -> View:
    """One view of a loaded class, aggregated once: the chart and the list of what was
    hidden read the same view. A view of real data is checked against the class's release
    log first (rule S8) and comes back refused, with nothing in it, when it differs from one
    shown before by fewer than 5 trainees."""
    key = f"view:{name}"
    view = data.cache.get(key)
    if not isinstance(view, View):
        view = VIEWS[name](data)
        if not data.is_synthetic:
            problem = release(name, data)
            if problem:
                view = _refused(view, problem)
        data.cache[key] = view
    return view


VIEW_TITLES = {
    "skills": "skills snapshot before and after",
    "first_choices": "first answers on the vignettes",
    "profile": "class profile",
    "change": "change across sessions",
    "self_vs_partner": "self vs partner",
    "choices": "vignette choices",
    "checkins": "check-ins",
}


def _refused(view: View, reason: str) -> View:
    """The view with every number removed and the reason as its only note."""
    table = view.table.copy()
    numeric = table.select_dtypes("number").columns
    table[numeric] = np.nan
    if "status" in table.columns:
        table["status"] = HIDDEN
    if "label" in table.columns:
        table["label"] = HIDDEN
    stats = None if view.stats is None else view.stats.iloc[0:0]
    note = Note("Refused", f"this view ({VIEW_TITLES[view.name]})", reason)
    return View(view.name, table, 0, [note], stats, refused=reason)


def aggregate_all(data: ClassData | pd.DataFrame | None = None) -> dict[str, View]:
    """Every view's aggregation, without drawing anything (what benchmarks measure)."""
    if isinstance(data, ClassData):
        return {name: view_of(name, data) for name in VIEWS}
    frame = _frame(data)
    return {name: build(frame) for name, build in VIEWS.items()}
