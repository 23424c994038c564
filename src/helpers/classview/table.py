"""Reading a class table (a class.csv from ``alliance collect``, a drop folder, or the
embedded synthetic sample) and checking it, row by row, before any view is drawn from it.

F1: only the columns the charts need are read; free text never enters a class view, and no
output carries a pseudonym.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.classview.model import ClassData, ClassDataError
from helpers.sample import COLUMNS
from helpers.vocabulary import CHECKINS, RATED_GUIDELINES, ROLES, SYNTHETIC_COHORT

MEASURES = ("guideline", "checkin", "choice", "skills")
SKILLS_STAGES = ("before", "after")
SKILLS_MAX = 32  # the skills snapshot: eight moments of 0-4 points (helpers.skills)
ENV_CLASS_DATA = "ALLIANCE_CLASS_DATA"
SAMPLE_LABEL = "embedded synthetic sample"


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
        ("guideline", RATED_GUIDELINES),
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
