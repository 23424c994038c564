"""Share a reflection with the instructor as one pseudonymous submission file.

- ``build``: what a submission holds, exactly in the shared format (``build_submission``);
- ``folder``: where it goes: the class drop folder, checked before anything is written to it,
  or the trainee's private outbox;
- ``write``: writing it once, atomically, under a name of its own, and the very same file when
  the same reflection is shared again;
- ``send``: ``share_reflection``, and what the trainee is told afterwards;
- ``export``: the command ``alliance export``, which does the same from a terminal.

docs/architecture.md lists the privacy rules each module enforces. Every name is importable
from ``helpers.share`` itself.
"""

from __future__ import annotations

from helpers.share.build import (
    MAX_CORRECTION_TEXT,
    MAX_CORRECTIONS,
    ShareError,
    build_submission,
    check_cohort,
    choices_summary,
    iso_week,
    shareable_corrections,
    submission_bytes,
)
from helpers.share.export import add_arguments, run
from helpers.share.folder import drop_folder_problem, is_in_outbox, outbox
from helpers.share.send import DOWNLOAD_LABEL, download_link, share_message, share_reflection
from helpers.share.write import write_submission

__all__ = [
    "DOWNLOAD_LABEL",
    "MAX_CORRECTIONS",
    "MAX_CORRECTION_TEXT",
    "ShareError",
    "add_arguments",
    "build_submission",
    "check_cohort",
    "choices_summary",
    "drop_folder_problem",
    "download_link",
    "is_in_outbox",
    "iso_week",
    "outbox",
    "run",
    "share_message",
    "share_reflection",
    "shareable_corrections",
    "submission_bytes",
    "write_submission",
]
