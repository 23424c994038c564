"""From the files read to the submissions that count: one per submission id, trainees labelled,
and the latest reflection of each trainee, session and role.

The owner of a file only decides who is one trainee (rule S7, an opaque ``trainee`` label
drawn afresh on every run) and the time it was written only which reflection is a trainee's
latest (rule S9).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from helpers.collect.read import CollectError, _Found, _read_folder
from helpers.collect.report import CollectReport
from helpers.submission import MAX_BYTES, printable_name


def collect_folder(
    folder: Path | str, *, max_bytes: int = MAX_BYTES, cohort: str | None = None
) -> tuple[list[dict], CollectReport]:
    """Read a drop folder; return the submissions that count and a report.

    Subfolders (up to 3 deep) and ``.zip`` files are read too, as a learning platform's
    download arrives; symbolic links are reported, never followed, and nothing outside the
    folder is read or written. Trainees are counted by the distinct accounts that own the
    files wherever owners differ, else by pseudonym (rule S7); each returned submission
    carries an opaque ``trainee`` label, drawn at random on every run. Of several reflections
    of one trainee for one session and role only the latest counts (rule S9). Two files with
    one submission_id are both rejected unless they are identical copies from one account.
    With ``cohort``, only that class code is accepted. Raises CollectError if the folder
    itself cannot be listed.
    """
    folder = Path(folder)
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise CollectError(f"{folder}: no such folder") from None
    except NotADirectoryError:
        raise CollectError(f"{folder}: not a folder") from None
    except OSError as exc:
        raise CollectError(f"{folder}: cannot open ({exc.strerror or exc})") from None
    report = CollectReport()
    found: list[_Found] = []
    try:
        _read_folder(dir_fd, "", 0, max_bytes, found, report, top=str(folder))
    finally:
        os.close(dir_fd)
    found = _one_per_id(found, report)
    for item in found:
        code = item.doc["cohort"]
        report.cohorts[code] = report.cohorts.get(code, 0) + 1
    if cohort is not None:
        kept = []
        for item in found:
            if item.doc["cohort"] == cohort:
                kept.append(item)
            else:
                report.rejected.append(
                    (item.name, f"class code {item.doc['cohort']}, not {cohort} (--cohort)")
                )
        found = kept
    found = _label_trainees(found, report)
    found = _latest_per_trainee(found, report)
    report.accepted = len(found)
    report.trainees = len({item.doc["trainee"] for item in found})
    return [item.doc for item in found], report


def _one_per_id(found: list[_Found], report: CollectReport) -> list[_Found]:
    """Rule: one submission_id, one reflection. Identical copies from one account count once;
    any other reuse of an id rejects every file that uses it (a planted copy must not replace
    the real one, whichever sorts first)."""
    by_id: dict[str, list[_Found]] = {}
    for item in found:
        by_id.setdefault(item.doc["submission_id"], []).append(item)
    kept: list[_Found] = []
    for items in by_id.values():
        first = items[0]
        if len(items) == 1:
            kept.append(first)
            continue
        names = ", ".join(printable_name(item.name) for item in items)
        if len({item.owner for item in items}) > 1:
            for item in items:
                report.rejected.append(
                    (
                        item.name,
                        f"same submission_id as another account's file ({names}); all"
                        " rejected: one of them may be a forgery",
                    )
                )
            report.flagged.append(
                f"files from different accounts share one submission_id, all rejected: {names}"
            )
            continue
        if len({item.content for item in items}) > 1:
            for item in items:
                report.rejected.append(
                    (item.name, f"same submission_id, different content ({names}); all rejected")
                )
            continue
        kept.append(first)
        report.duplicates += [(item.name, first.name) for item in items[1:]]
    return kept


def _label_trainees(found: list[_Found], report: CollectReport) -> list[_Found]:
    """Give each submission an opaque ``trainee`` label: one per owning account wherever
    owners differ (rule S7), else one per pseudonym. Labels are drawn at random on each run,
    so they say nothing about the account and cannot be matched across runs."""
    owners = {item.owner for item in found}
    by_account = len(owners) > 1
    report.counted_by = "account" if by_account else "pseudonym"
    rng = random.SystemRandom()
    labels: dict[object, str] = {}
    for item in found:
        key = item.owner if by_account else item.doc["pseudonym"]
        if key not in labels:
            label = f"t{rng.getrandbits(48):012x}"
            while label in labels.values():
                label = f"t{rng.getrandbits(48):012x}"
            labels[key] = label
        item.doc["trainee"] = labels[key]
    if by_account:
        pseudonyms: dict[int, set[str]] = {}
        names: dict[int, list[str]] = {}
        for item in found:
            pseudonyms.setdefault(item.owner, set()).add(item.doc["pseudonym"])
            names.setdefault(item.owner, []).append(printable_name(item.name))
        for owner in sorted(pseudonyms, key=lambda o: names[o][0]):
            if len(pseudonyms[owner]) > 1:
                shown = ", ".join(names[owner][:10]) + (" ..." if len(names[owner]) > 10 else "")
                report.flagged.append(
                    f"one account wrote {len(pseudonyms[owner])} pseudonyms (counted as one"
                    f" trainee): {shown}"
                )
    return found


def _latest_per_trainee(found: list[_Found], report: CollectReport) -> list[_Found]:
    """Rule S9: one reflection per trainee, session and role, the latest (by ISO week, then by
    when the file was written); the others are reported as merged."""
    groups: dict[tuple[str, int, str], list[_Found]] = {}
    for item in sorted(found, key=lambda item: (item.doc["week"], item.mtime, item.name)):
        key = (item.doc["trainee"], item.doc["session"], item.doc["role"])
        groups.setdefault(key, []).append(item)
    keep = set()
    for items in groups.values():
        kept = items[-1]
        keep.add(id(kept))
        report.merged += [(item.name, kept.name) for item in items[:-1]]
    report.merged.sort()
    return [item for item in found if id(item) in keep]
