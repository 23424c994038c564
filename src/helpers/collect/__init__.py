"""``alliance collect``: read a drop folder of reflection files into one class table.

- ``read``: reading every entry of the folder (subfolders and .zip files included) within
  safety limits; a bad file is reported in one line and skipped, never fatal;
- ``merge``: ``collect_folder``: one file per submission id, who is one trainee, and the
  latest reflection of each trainee, session and role;
- ``report``: what happened to each entry, in lines and as the NAME-summary.json overview;
- ``table``: the class table and the comments file, with cells safe for spreadsheets;
- ``command``: the command itself, which never replaces a class table with nothing.

docs/architecture.md lists the privacy rules each module enforces. Every name is importable
from ``helpers.collect`` itself.
"""

from __future__ import annotations

from helpers.collect.command import add_arguments, run
from helpers.collect.merge import collect_folder
from helpers.collect.read import (
    MAX_DEPTH,
    MAX_ENTRIES,
    MAX_ZIP_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    CollectError,
)
from helpers.collect.report import CollectReport
from helpers.collect.table import (
    CLASS_COLUMNS,
    COMMENT_COLUMNS,
    MIN_COMMENTS,
    class_rows,
    comment_rows,
    comment_writers,
    companion_path,
    formula_safe,
    restore_text,
    submissions_to_frame,
    write_table,
)

__all__ = [
    "CLASS_COLUMNS",
    "COMMENT_COLUMNS",
    "MAX_DEPTH",
    "MAX_ENTRIES",
    "MAX_ZIP_BYTES",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "MIN_COMMENTS",
    "CollectError",
    "CollectReport",
    "add_arguments",
    "class_rows",
    "collect_folder",
    "comment_rows",
    "comment_writers",
    "companion_path",
    "formula_safe",
    "restore_text",
    "run",
    "submissions_to_frame",
    "write_table",
]
