"""The class view: load a class table and aggregate it, hiding what could single a trainee out.

Every number notebook 11 shows passes through this one layer, which applies the course's
privacy rules (docs/architecture.md lists each one and the module that enforces it):

- ``table``: reading and checking a class table, keeping only the columns the views need and
  one reflection per trainee, session and role;
- ``suppression``: which cells are hidden or coarsened, and the notes that say why;
- ``views``: one aggregation per chart (``view_of``, ``aggregate_all``);
- ``releases``: the release log that keeps two views of a real class from revealing a few;
- ``report``: what was hidden, and what ``alliance collect`` read, in plain lines.

Each view returns a ``View``: the table behind the chart's marks, and a plain list of what was
hidden or coarsened and why. Every name is importable from ``helpers.classview`` itself.
"""

from __future__ import annotations

from helpers.classview.model import PSEUDONYM_WARNING, ClassData, ClassDataError, View
from helpers.classview.releases import (
    RELEASES,
    VIEW_ROWS,
    contributions,
    release,
    release_log_path,
)
from helpers.classview.report import (
    CollectOverview,
    HiddenReport,
    collect_overview,
    what_was_hidden,
)
from helpers.classview.suppression import (
    COARSE,
    COARSE_BANDS,
    FINE_BANDS,
    HIDDEN,
    MIN_TRAINEES,
    SHARE_RANGES,
    SHOWN,
    SMALL_GROUP,
    Note,
    session_stats,
    share_range_label,
    suppress_breakdown,
    t_quantile_975,
    trainees,
)
from helpers.classview.table import (
    ENV_CLASS_DATA,
    MEASURES,
    SAMPLE_LABEL,
    SKILLS_MAX,
    SKILLS_STAGES,
    _frame,  # the class frame of any input (helpers.growth)
    latest_per_trainee,
    load_class,
    read_class_csv,
    read_overview,
    sample_class,
    validate_frame,
)
from helpers.classview.views import (
    CHECKIN_NAMES,
    GUIDELINE_NAMES,
    VIEW_TITLES,
    VIEWS,
    _known_options,  # the options of every choose vignette (helpers.growth)
    aggregate_all,
    change_table,
    checkins_table,
    choices_table,
    profile_table,
    self_partner_table,
    view_of,
)

__all__ = [
    "CHECKIN_NAMES",
    "COARSE",
    "COARSE_BANDS",
    "ENV_CLASS_DATA",
    "FINE_BANDS",
    "GUIDELINE_NAMES",
    "HIDDEN",
    "MEASURES",
    "MIN_TRAINEES",
    "PSEUDONYM_WARNING",
    "RELEASES",
    "SAMPLE_LABEL",
    "SHARE_RANGES",
    "SHOWN",
    "SKILLS_MAX",
    "SKILLS_STAGES",
    "SMALL_GROUP",
    "VIEWS",
    "VIEW_ROWS",
    "VIEW_TITLES",
    "ClassData",
    "ClassDataError",
    "CollectOverview",
    "HiddenReport",
    "Note",
    "View",
    "_frame",
    "_known_options",
    "aggregate_all",
    "change_table",
    "checkins_table",
    "choices_table",
    "collect_overview",
    "contributions",
    "latest_per_trainee",
    "load_class",
    "profile_table",
    "read_class_csv",
    "read_overview",
    "release",
    "release_log_path",
    "sample_class",
    "self_partner_table",
    "session_stats",
    "share_range_label",
    "suppress_breakdown",
    "t_quantile_975",
    "trainees",
    "validate_frame",
    "view_of",
    "what_was_hidden",
]
