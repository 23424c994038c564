"""The class view: load a class table and aggregate it, hiding what could single a trainee out.

Every number notebook 11 shows passes through this one layer, which applies the course's
privacy rules (docs: privacy rules S1-S5, F1):

- S1/S2: an aggregate, and every cell of a breakdown, drawn from fewer than 5 distinct trainees
  is hidden; where shares of a total are shown and exactly one cell is hidden, the next-smallest
  cell is hidden too, so the hidden count cannot be worked out as total minus the rest.
- S3/S5: in a group of fewer than 10 trainees, 0-10 ratings are coarsened to three bands, shares
  are shown only as 20-point ranges (so "everyone chose b" never appears), and session averages
  become medians with quartiles.
- F1: only the columns the charts need are read; free text never enters a class view, and no
  output carries a pseudonym.

Each view returns a ``View``: the table behind the chart's marks, and a plain list of what was
hidden or coarsened and why.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.sample import CHECKINS, COLUMNS, FALLBACK_VIGNETTES, GUIDELINES

MIN_TRAINEES = 5  # S1: fewer than this many trainees -> hidden
SMALL_GROUP = 10  # S3/S5: fewer than this many trainees -> coarsened
SYNTHETIC_COHORT = "SYNTHETIC"
HIDDEN = "hidden (n<5)"  # the status of a hidden cell; its numbers are NaN
COARSE = "coarse"
SHOWN = "shown"
MEASURES = ("guideline", "checkin", "choice", "skills")
SKILLS_STAGES = ("before", "after")
SKILLS_MAX = 32  # the skills snapshot: eight moments of 0-4 points (helpers.skills)
ROLES = ("counselor", "client")
ENV_CLASS_DATA = "ALLIANCE_CLASS_DATA"
SAMPLE_LABEL = "embedded synthetic sample"
PSEUDONYM_WARNING = (
    "Warning: trainees are counted by pseudonym, not by account (every file had the same "
    "owner, e.g. a learning-platform download), so one person sharing under several "
    "pseudonyms would count as several trainees and could reveal a small group."
)

GUIDELINE_NAMES = {
    "safety": "safety",
    "care": "care",
    "understanding": "understanding",
    "focus": "focus",
}
CHECKIN_NAMES = {
    "notice_rupture": "noticing ruptures",
    "repair_rupture": "repairing ruptures",
    "ask_feedback": "asking for feedback",
}
# Bands for 0-10 ratings: finer for groups of 10 or more, three bands below that (S5).
FINE_BANDS = (("0–2", 0, 2), ("3–4", 3, 4), ("5–6", 5, 6), ("7–8", 7, 8), ("9–10", 9, 10))
COARSE_BANDS = (("0–3", 0, 3), ("4–6", 4, 6), ("7–10", 7, 10))
SHARE_RANGES = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))


class ClassDataError(ValueError):
    """A class table that cannot be used, with a message saying what to fix."""


@dataclass(frozen=True, repr=False)
class ClassData:
    """A validated class table and where it came from (never an absolute path)."""

    frame: pd.DataFrame
    is_synthetic: bool
    source_label: str
    # charts already drawn from this (read-only) class, so the handout does not redraw them
    cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    # S7: "account" when trainees were told apart by the accounts owning their files,
    # "pseudonym" when every file had one owner (or the table does not say)
    counted_by: str = "pseudonym"
    # what collect read (its summary file): files, accepted, rejected, merged, class codes
    overview: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_trainees(self) -> int:
        return int(self.frame["trainee"].nunique())

    @property
    def sessions(self) -> list[int]:
        return sorted(int(s) for s in self.frame["session"].unique())

    @property
    def banner(self) -> str:
        """The line shown at the top of every view."""
        if self.is_synthetic:
            return f"Synthetic sample class, not real trainees (source: {self.source_label})."
        if self.counted_by != "account":
            return f"Class data from {self.source_label}. {PSEUDONYM_WARNING}"
        return f"Class data from {self.source_label}."

    def smaller(self, trainees: int) -> ClassData:
        """The same class as if only ``trainees`` of its trainees had shared: shows what the
        privacy rules do to a small group. Only for synthetic data: comparing a real class with
        a part of it would reveal the answers of the trainees left out."""
        if not self.is_synthetic:
            raise ClassDataError(
                "smaller() works only on the synthetic sample: comparing a real class with part "
                "of it would reveal what the trainees left out answered."
            )
        keep = sorted(self.frame["trainee"].astype(str).unique())[:trainees]
        frame = self.frame[self.frame["trainee"].isin(keep)].copy()
        for column in frame.select_dtypes("category"):
            frame[column] = frame[column].cat.remove_unused_categories()
        label = f"{self.source_label}, only {trainees} of its trainees"
        return ClassData(frame, self.is_synthetic, label)

    def __repr__(self) -> str:
        sessions = self.sessions
        span = f"sessions {sessions[0]}–{sessions[-1]}" if sessions else "no sessions"
        return f"{self.banner} {self.n_trainees} trainees, {span}."


@dataclass(frozen=True)
class Note:
    """One thing a view hid or coarsened, and why (printed for the class to read)."""

    action: str  # "Hidden" or "Coarsened"
    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.action}: {self.what} — {self.reason}"


@dataclass
class View:
    """The table behind one chart's marks, the trainees it draws on, and what it held back."""

    name: str
    table: pd.DataFrame
    n: int
    notes: list[Note] = field(default_factory=list)
    stats: pd.DataFrame | None = None
    refused: str = ""  # S8: why this view is not shown at all (empty when it is shown)

    @property
    def suppressed(self) -> bool:
        """True when the whole view is hidden (fewer than 5 trainees)."""
        if self.refused:
            return True
        return self.n < MIN_TRAINEES or bool((self.table["status"] == HIDDEN).all())

    @property
    def hidden(self) -> list[Note]:
        return [note for note in self.notes if note.action == "Hidden"]


def trainees(n: int) -> str:
    """'1 trainee', '4 trainees'."""
    return f"{n} trainee" if n == 1 else f"{n} trainees"


# ----------------------------------------------------------------------------- loading


def load_class(source: str | os.PathLike[str] | None = None) -> ClassData:
    """The class to discuss: ``None`` means ``$ALLIANCE_CLASS_DATA`` if set, else the embedded
    synthetic sample; otherwise a class.csv from ``alliance collect`` or a drop folder."""
    if source is None or str(source) == "":
        source = os.environ.get(ENV_CLASS_DATA) or None
    if source is None:
        return sample_class()
    else:
        path = Path(source).expanduser()
        if path.is_dir():
            frame, overview = _read_drop_folder(path)
            label = f"drop folder '{path.name}'"
        elif path.is_file():
            frame = read_class_csv(path)
            overview = read_overview(path)
            label = path.name
        else:
            raise ClassDataError(
                f"{path.name}: no such file or folder. Set CLASS_DATA to the class.csv written "
                "by 'alliance collect', to the drop folder, or to None for the synthetic sample."
            )
    cohorts = set(frame["cohort"].astype(str).unique())
    counted_by = "account" if overview.get("counted_by") == "account" else "pseudonym"
    return ClassData(
        frame,
        is_synthetic=SYNTHETIC_COHORT in cohorts,
        source_label=label,
        counted_by=counted_by,
        overview=overview,
    )


def read_overview(table: Path) -> dict[str, object]:
    """The summary ``alliance collect`` wrote next to a class table (empty if there is none)."""
    from helpers.collect import companion_path

    try:
        overview = json.loads(companion_path(table, "summary").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return overview if isinstance(overview, dict) else {}


def sample_class() -> ClassData:
    """The embedded synthetic sample, whatever ``CLASS_DATA`` or the environment say.

    Read once per kernel (again if the file changes): the notebook uses it twice, and the
    charts already drawn from it are kept with it. Treat it as read-only.
    """
    from helpers.paths import data_path

    path = data_path("sample", "class.csv")
    info = path.stat()
    key = (str(path), info.st_mtime_ns, info.st_size)
    if key not in _SAMPLE:
        _SAMPLE.clear()
        _SAMPLE[key] = ClassData(read_class_csv(path), True, SAMPLE_LABEL)
    return _SAMPLE[key]


_SAMPLE: dict[tuple[str, int, int], ClassData] = {}


def _read_drop_folder(folder: Path) -> tuple[pd.DataFrame, dict[str, object]]:
    from helpers.collect import CollectError, collect_folder, submissions_to_frame

    try:
        submissions, _report = collect_folder(folder)
    except CollectError as error:
        raise ClassDataError(f"drop folder '{folder.name}': {error}") from None
    if not submissions:
        raise ClassDataError(
            f"drop folder '{folder.name}' holds no valid reflections yet; run "
            f"'alliance collect {folder.name}' to see why files were rejected."
        )
    if len(_report.cohorts) > 1:
        codes = ", ".join(sorted(_report.cohorts))
        raise ClassDataError(
            f"drop folder '{folder.name}' holds several classes ({codes}); run 'alliance "
            f"collect {folder.name} --cohort CODE -o class.csv' and open that class.csv."
        )
    frame = submissions_to_frame(submissions, rng=__import__("random").Random(0))
    return validate_frame(frame, f"drop folder '{folder.name}'"), _report.as_json()


def read_class_csv(path: Path) -> pd.DataFrame:
    """Read and validate a class.csv (only the class-table columns; anything else is ignored)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except pd.errors.EmptyDataError:
        raise ClassDataError(f"{path.name} is empty: it has no header and no ratings.") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ClassDataError(f"{path.name} is not a readable CSV file ({error}).") from None
    return validate_frame(frame, path.name)


def _first_bad(mask: np.ndarray | pd.Series) -> int | None:
    positions = np.flatnonzero(np.asarray(mask))
    return int(positions[0]) if len(positions) else None


def _row_error(name: str, column: str, row: int, value: object, expected: str) -> ClassDataError:
    # row numbers as a spreadsheet shows them: the header is row 1
    return ClassDataError(f"{name}: column '{column}' row {row + 2}: '{value}' is {expected}")


def validate_frame(frame: pd.DataFrame, name: str = "class.csv") -> pd.DataFrame:
    """Check a class table and return it in the compact form the views use.

    Raises ClassDataError naming the file, column, row and value to fix.
    """
    # first_option came with submission format 2: a class table written before has none
    missing = [c for c in COLUMNS if c not in frame.columns and c != "first_option"]
    if missing:
        listed = ", ".join(f"'{column}'" for column in missing)
        raise ClassDataError(
            f"{name}: missing column(s) {listed}. A class table has the columns "
            f"{','.join(COLUMNS)} (as written by 'alliance collect')."
        )
    if frame.empty:
        raise ClassDataError(f"{name} has no ratings yet (only a header).")
    text = {c: frame[c].astype(str).str.strip() for c in ("role", "measure", "item", "option")}
    for column, allowed in (("measure", MEASURES), ("role", ROLES)):
        bad = _first_bad(~text[column].isin(allowed))
        if bad is not None:
            raise _row_error(
                name, column, bad, text[column].iloc[bad], f"not one of {', '.join(allowed)}"
            )
    measure = text["measure"]
    for kind, items in (
        ("guideline", GUIDELINES),
        ("checkin", CHECKINS),
        ("skills", SKILLS_STAGES),
    ):
        bad = _first_bad((measure == kind) & ~text["item"].isin(items))
        if bad is not None:
            raise _row_error(
                name, "item", bad, text["item"].iloc[bad], f"not a {kind} ({', '.join(items)})"
            )
    session = pd.to_numeric(frame["session"], errors="coerce")
    bad = _first_bad(~(session.notna() & (session >= 1) & (session % 1 == 0)))
    if bad is not None:
        raise _row_error(name, "session", bad, frame["session"].iloc[bad], "not a session number")
    rated = (measure != "choice").to_numpy()
    score = pd.to_numeric(frame["score"], errors="coerce")
    top = np.where(measure == "skills", SKILLS_MAX, 10)
    bad = _first_bad(rated & ~(score.notna() & (score >= 0) & (score <= top)).to_numpy())
    if bad is not None:
        expected = f"not a number 0–{top[bad]}"
        raise _row_error(name, "score", bad, frame["score"].iloc[bad], expected)
    chosen = ~rated
    bad = _first_bad(chosen & (text["option"] == "").to_numpy())
    if bad is not None:
        raise ClassDataError(f"{name}: column 'option' row {bad + 2}: a choice needs an option id")
    attempts = pd.to_numeric(frame["attempts"], errors="coerce")
    bad = _first_bad(chosen & ~(attempts.notna() & (attempts >= 1)).to_numpy())
    if bad is not None:
        raise _row_error(
            name, "attempts", bad, frame["attempts"].iloc[bad], "not a number of attempts (1+)"
        )
    has_trainee = "trainee" in frame.columns and bool((frame["trainee"].astype(str) != "").all())
    compact = pd.DataFrame(
        {
            "submission_id": frame["submission_id"].astype(str).astype("category"),
            "pseudonym": _restore(frame["pseudonym"]),
            # S7: the person behind the rows; an older table without it counts pseudonyms
            "trainee": _restore(frame["trainee" if has_trainee else "pseudonym"]),
            "cohort": _restore(frame["cohort"]),
            "week": frame["week"].astype(str).astype("category"),
            "session": session.astype("int16"),
            "role": text["role"].astype("category"),
            "measure": measure.astype("category"),
            "item": text["item"].astype("category"),
            "score": score.where(rated).astype("float32"),
            "option": text["option"].astype("category"),
            "attempts": attempts.where(chosen).astype("float32"),
            # first answers (format 2); empty where a file or an older table has none
            "first_option": (
                frame["first_option"].astype(str).str.strip()
                if "first_option" in frame.columns
                else pd.Series("", index=frame.index)
            ).astype("category"),
        }
    )
    return latest_per_trainee(compact)


def latest_per_trainee(frame: pd.DataFrame) -> pd.DataFrame:
    """Rule S9: of several reflections of one trainee for one session and role, keep only the
    latest (latest ISO week; the last submission id among equals), so copies cannot outweigh
    the class."""
    heads = frame[["submission_id", "trainee", "session", "role", "week"]].drop_duplicates(
        "submission_id"
    )
    if not heads.duplicated(["trainee", "session", "role"]).any():
        return frame
    heads = heads.astype({"submission_id": str, "week": str}).sort_values(
        ["week", "submission_id"], kind="stable"
    )
    kept = heads.drop_duplicates(["trainee", "session", "role"], keep="last")["submission_id"]
    frame = frame[frame["submission_id"].astype(str).isin(set(kept))].copy()
    for column in frame.select_dtypes("category"):
        frame[column] = frame[column].cat.remove_unused_categories()
    return frame.reset_index(drop=True)


def _restore(column: pd.Series) -> pd.Series:
    """Undo class.csv's spreadsheet-safety quote (rule C1) on a text column, per category."""
    values = column.astype(str).astype("category")
    fixed = values.cat.categories.str.replace(r"^'(?=\s*[=+\-@\t\r\n])", "", regex=True)
    if fixed.equals(values.cat.categories):
        return values
    return pd.Series(pd.Categorical(fixed[values.cat.codes]), index=column.index)


def _frame(data: ClassData | pd.DataFrame | None) -> pd.DataFrame:
    if data is None:
        return load_class().frame
    if isinstance(data, ClassData):
        return data.frame
    if isinstance(data["measure"].dtype, pd.CategoricalDtype):
        return data
    return validate_frame(data)


# ----------------------------------------------------------------------------- suppression


def share_range_label(share: float) -> tuple[float, float, str]:
    """The 20-point range a share falls in, for groups of fewer than 10 trainees (S3)."""
    percent = share * 100
    for low, high in SHARE_RANGES:
        if percent <= high:
            return low / 100, high / 100, f"{low}–{high} %"
    return 0.8, 1.0, "80–100 %"


def suppress_breakdown(counts: pd.Series, trainees: pd.Series | None = None) -> pd.Series:
    """Which cells of one breakdown to hide (True = hidden).

    ``counts`` is what each cell shows a share of (trainees or ratings); ``trainees`` is the
    number of distinct trainees behind each cell (default: ``counts``). S1: cells drawn from
    1-4 trainees are hidden, and every cell if the counts total fewer than 5 trainees' worth.
    S2: shares of the total are shown, so when exactly one cell is hidden the next-smallest
    non-empty cell is hidden too; then no hidden count equals the total minus the visible
    cells.
    """
    whole = trainees is None
    hidden = _hidden_cells([int(c) for c in counts], None if whole else [int(t) for t in trainees])
    return pd.Series(hidden, index=counts.index)


def _hidden_cells(counts: list[float], trainees: list[int] | None) -> list[bool]:
    """``suppress_breakdown`` on plain lists (``trainees`` None: the counts are trainees)."""
    if trainees is None:
        if sum(counts) < MIN_TRAINEES:
            return [True] * len(counts)
        trainees = counts
    hidden = [0 < t < MIN_TRAINEES for t in trainees]
    if sum(hidden) == 1:
        candidates = [i for i, c in enumerate(counts) if not hidden[i] and c > 0]
        if candidates:
            hidden[min(candidates, key=counts.__getitem__)] = True  # the first of equals
    if any(hidden):  # never "0 %" next to a hidden cell: it narrows what the hidden ones hold
        hidden = [hide or count == 0 for hide, count in zip(hidden, counts, strict=True)]
    return hidden


def _breakdown(
    cells: pd.DataFrame, group: str, cell: str, describe: Callable[[object], str]
) -> tuple[pd.DataFrame, list[Note]]:
    """Apply S1-S3 to a long table with one row per group x cell.

    Columns used: ``count`` (what shares are of), ``trainees`` (distinct trainees behind the
    cell) and ``n`` (distinct trainees in the group). Counts of hidden or coarsened cells are
    blanked so they cannot be read off the table either.
    """
    groups: dict[object, list[dict]] = {}
    for row in cells.to_dict("records"):
        groups.setdefault(row[group], []).append(row)
    rows: list[dict] = []
    notes: list[Note] = []
    for key, part in groups.items():
        n = int(part[0]["n"])
        counts = [float(row["count"]) for row in part]
        total = sum(counts)
        shares = [count / total if total else 0.0 for count in counts]
        for row, share in zip(part, shares, strict=True):
            row.update(
                share=share,
                share_low=share,
                share_high=share,
                label=f"{round(share * 100)} %",
                status=SHOWN,
            )
        if n < MIN_TRAINEES:
            hidden = [True] * len(part)
            notes.append(
                Note("Hidden", f"{describe(key)} ({trainees(n)})", "fewer than 5 trainees")
            )
        else:
            behind = [int(row["trainees"]) for row in part]
            hidden = _hidden_cells(counts, behind)
            for row, hide, people in zip(part, hidden, behind, strict=True):
                if hide:
                    reason = (
                        "fewer than 5 trainees"
                        if 0 < people < MIN_TRAINEES
                        else "empty, hidden too: shown empty beside hidden cells it would "
                        "narrow them down"
                        if people == 0
                        else "hidden too, so the smaller hidden count cannot be worked out "
                        "from the total"
                    )
                    notes.append(Note("Hidden", f"{describe(key)}, {row[cell]}", reason))
            if n < SMALL_GROUP:
                for row, share, hide in zip(part, shares, hidden, strict=True):
                    low, high, label = share_range_label(share)
                    row.update(share=np.nan, share_low=low, share_high=high, label=label)
                    row["status"] = SHOWN if hide else COARSE
                notes.append(
                    Note(
                        "Coarsened",
                        f"{describe(key)} ({trainees(n)})",
                        "fewer than 10 trainees, so shares are shown as 20-point ranges",
                    )
                )
        for row, hide in zip(part, hidden, strict=True):
            if hide:
                row.update(share=np.nan, share_low=np.nan, share_high=np.nan)
                row.update(label=HIDDEN, status=HIDDEN)
            if row["status"] != SHOWN:  # counts of hidden or coarsened cells are blanked
                row.update(count=np.nan, trainees=np.nan)
        rows += part
    if not rows:
        return cells.assign(status=HIDDEN), notes
    columns = [*cells.columns, "share", "share_low", "share_high", "label", "status"]
    return pd.DataFrame(rows, columns=columns), notes


# ----------------------------------------------------------------------------- views


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
    """The profile's guideline x band cells for one choice of bands, after S1-S3, and how
    much of the ratings' weight the visible cells show."""
    rated = rated.assign(band=_band_of(rated["score"], bands))
    grid = pd.MultiIndex.from_product(
        [list(GUIDELINES), [b[0] for b in bands]], names=["guideline", "band"]
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
    stats = stats.reindex(list(GUIDELINES)).rename_axis("guideline").reset_index()
    stats[["n", "ratings"]] = stats[["n", "ratings"]].fillna(0).astype(int)
    stats.loc[stats["n"] < MIN_TRAINEES, ["median", "q1", "q3"]] = np.nan
    if n < MIN_TRAINEES:
        notes = [Note("Hidden", f"the class profile ({trainees(n)})", "fewer than 5 trainees")]
    return View("profile", table, n, _dedupe(notes), stats)


_T_Z = 1.959963984540054


def t_quantile_975(df: np.ndarray) -> np.ndarray:
    """Student's t 97.5 % quantile (Cornish-Fisher expansion; error < 0.001 for df >= 4)."""
    z, v = _T_Z, np.asarray(df, dtype=float)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


def session_stats(rated: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group: trainees, mean with t-based 95 % CI (n >= 10) or median and quartiles
    (5 <= n < 10), nothing (n < 5). One value per trainee per group (their mean)."""
    per_trainee = rated.groupby(keys + ["trainee"], observed=True)["score"].mean().reset_index()
    grouped = per_trainee.groupby(keys, observed=True)["score"]
    stats = grouped.agg(n="count", mean="mean", sd="std", median="median")
    stats["q1"] = grouped.quantile(0.25)
    stats["q3"] = grouped.quantile(0.75)
    stats = stats.reset_index()
    n = stats["n"].to_numpy()
    status = np.where(n < MIN_TRAINEES, HIDDEN, np.where(n < SMALL_GROUP, COARSE, SHOWN))
    coarse, hidden = status == COARSE, status == HIDDEN
    mean = stats["mean"].to_numpy()
    half = t_quantile_975(np.maximum(n - 1, 1)) * stats["sd"].to_numpy() / np.sqrt(n)
    no_mean = coarse | hidden
    # whole columns at once: masked assignments cost more than the statistics themselves
    stats["mean"] = np.where(no_mean, np.nan, mean)
    for column in ("median", "q1", "q3"):
        stats[column] = stats[column].where(coarse)
    stats["low"] = np.where(no_mean, np.nan, mean - half)
    stats["high"] = np.where(no_mean, np.nan, mean + half)
    stats["status"] = status
    stats["centre"] = stats["mean"].fillna(stats["median"])
    return stats.drop(columns="sd")


def _session_notes(stats: pd.DataFrame, item_col: str, names: dict[str, str]) -> list[Note]:
    by_session: dict[int, list[dict]] = {}
    for row in stats[["session", item_col, "n", "status"]].to_dict("records"):
        by_session.setdefault(row["session"], []).append(row)
    notes: list[Note] = []
    for session in sorted(by_session):
        for status, action, reason in (
            (HIDDEN, "Hidden", "fewer than 5 trainees"),
            (COARSE, "Coarsened", "fewer than 10 trainees, so median and quartiles"),
        ):
            cells = [row for row in by_session[session] if row["status"] == status]
            if not cells:
                continue
            if len(cells) == len(names) and len({row["n"] for row in cells}) == 1:
                what = f"session {session} ({trainees(int(cells[0]['n']))})"
                notes.append(Note(action, what, reason))
            else:
                for row in cells:
                    item = names.get(str(row[item_col]), str(row[item_col]))
                    notes.append(Note(action, f"session {session}, {item} ({row['n']})", reason))
    return notes


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
    table, notes = _breakdown(counts, "vignette", "option", lambda v: f"vignette {v}")
    notes = [
        Note(n.action, n.what.replace(", ", ", option ", 1), n.reason)
        if n.what.count(",") == 1 and n.action == "Hidden"
        else n
        for n in notes
    ]
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


# ----------------------------------------------------------------------------- release log (S8)

RELEASES = "releases"  # folder in the instructor's ALLIANCE_HOME: one log per class
# the rows each view draws on: (measure, role or None for both)
VIEW_ROWS = {
    "skills": ("skills", None),
    "first_choices": ("choice", None),
    "profile": ("guideline", "client"),
    "change": ("guideline", "client"),
    "self_vs_partner": ("guideline", None),
    "choices": ("choice", None),
    "checkins": ("checkin", None),
}


def release_log_path(data: ClassData) -> Path:
    """The release log of the class ``data`` comes from, in the private ALLIANCE_HOME."""
    from helpers.paths import alliance_home

    codes = sorted(str(code) for code in data.frame["cohort"].astype(str).unique())
    name = "+".join(codes)
    if (
        not all(code.replace("-", "").replace("_", "").isalnum() for code in codes)
        or len(name) > 100
    ):
        name = hashlib.sha256(name.encode()).hexdigest()[:32]
    return alliance_home() / RELEASES / f"{name}.json"


def contributions(name: str, data: ClassData) -> dict[str, str]:
    """Per trainee behind view ``name``: a key (a hash of their pseudonyms, stable across
    collects) and a digest of the reflections the view draws on."""
    measure, role = VIEW_ROWS[name]
    frame = data.frame
    mask = frame["measure"] == measure
    if role is not None:
        mask &= frame["role"] == role
    rows = frame.loc[mask, ["trainee", "pseudonym", "submission_id"]].astype(str)
    out: dict[str, str] = {}
    for _, part in rows.groupby("trainee"):
        who = "\n".join(sorted(set(part["pseudonym"])))
        what = "\n".join(sorted(set(part["submission_id"])))
        out[_digest(who)] = _digest(what)
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def release(name: str, data: ClassData) -> str:
    """Rule S8: record view ``name`` of a real class as shown, or say why it must not be.

    Refused (a plain sentence is returned) when the trainees behind it differ from those of
    a version shown before, by any instructor account using this ALLIANCE_HOME, in any
    folder, on screen or in a handout, by 1 to 4 trainees: comparing the two would reveal
    what those few shared. Returns "" when the view may be shown.
    """
    current = contributions(name, data)
    path = release_log_path(data)
    try:
        log = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        earlier = [dict(item) for item in log.get("views", {}).get(name, [])]
    except (OSError, ValueError, TypeError, AttributeError) as error:
        return (
            f"Not shown: the release log {path.name} in your private folder could not be read "
            f"({getattr(error, 'strerror', None) or error}); move it aside only if you are sure "
            "no earlier view of this class was shown."
        )
    for before in earlier:
        changed = {
            key for key in before.keys() | current.keys() if before.get(key) != current.get(key)
        }
        if not changed:
            return ""  # this very view was released before
        if len(changed) < MIN_TRAINEES:
            more = MIN_TRAINEES - len(changed)
            return (
                f"Not shown: since this view was last shown, the reflections of "
                f"{trainees(len(changed))} changed, and comparing the two versions would "
                f"reveal what {'they' if len(changed) > 1 else 'that trainee'} shared. It can be "
                f"shown again when at least {trainees(more)} more have shared; until then, use "
                "the version shown before."
            )
    log.setdefault("views", {}).setdefault(name, []).append(current)
    try:
        from helpers.files import replace_atomically

        path.parent.mkdir(mode=0o700, exist_ok=True)
        replace_atomically(path, (json.dumps(log) + "\n").encode("utf-8"))
    except OSError as error:
        return (
            f"Not shown: the release log in your private folder could not be written "
            f"({error.strerror or error}); free some space or fix its permissions, then run "
            "the cell again."
        )
    return ""


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


@dataclass
class HiddenReport:
    """Everything the class view held back, in plain sentences."""

    banner: str
    notes: list[tuple[str, Note]]

    def __repr__(self) -> str:
        lines = [self.banner]
        if not self.notes:
            lines.append("Nothing was hidden: every group had at least 10 trainees.")
        lines += [f"[{view}] {note}" for view, note in self.notes]
        return "\n".join(lines)


VIEW_TITLES = {
    "skills": "skills snapshot before and after",
    "first_choices": "first answers on the vignettes",
    "profile": "class profile",
    "change": "change across sessions",
    "self_vs_partner": "self vs partner",
    "choices": "vignette choices",
    "checkins": "check-ins",
}


def what_was_hidden(data: ClassData | None = None) -> HiddenReport:
    """What every view hid or coarsened and why, for the class to read."""
    data = data if data is not None else load_class()
    views = aggregate_all(data)
    notes = [(VIEW_TITLES[name], note) for name, view in views.items() for note in view.notes]
    return HiddenReport(data.banner, notes)


@dataclass
class CollectOverview:
    """What ``alliance collect`` read for this class, for the instructor (no names, no owners)."""

    lines: list[str]

    def __repr__(self) -> str:
        return "\n".join(self.lines)


def collect_overview(data: ClassData | None = None) -> CollectOverview:
    """The summary collect wrote next to the class table, in plain lines: files seen, accepted,
    rejected by reason, merged, class codes, and how trainees were counted."""
    data = data if data is not None else load_class()
    info = data.overview
    if data.is_synthetic or not info:
        what = "the synthetic sample" if data.is_synthetic else data.source_label
        return CollectOverview([f"No collect summary for {what}."])
    reasons = info.get("rejected_by_reason") or {}
    codes = info.get("class_codes") or {}
    lines = [
        f"Files seen: {info.get('files', 0)}; accepted: {info.get('accepted', 0)}; "
        f"rejected: {info.get('rejected', 0)}; identical copies: {info.get('duplicates', 0)}; "
        f"earlier reflections merged: {info.get('merged', 0)}.",
    ]
    lines += [f"  rejected, {reason}: {count}" for reason, count in dict(reasons).items()]
    lines.append(
        "Class codes seen: " + ", ".join(f"{code} ({n})" for code, n in dict(codes).items())
    )
    if info.get("counted_by") == "account":
        lines.append(f"{trainees(int(info.get('trainees', 0)))}, counted by account.")
    else:
        lines.append(f"{trainees(int(info.get('trainees', 0)))}. {PSEUDONYM_WARNING}")
    flagged = int(info.get("flagged_accounts", 0) or 0)
    if flagged:
        lines.append(
            f"{flagged} flag(s) on collect's report (several pseudonyms from one account, or "
            "one submission id from several accounts): see its output."
        )
    return CollectOverview(lines)
