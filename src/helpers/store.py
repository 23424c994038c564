"""The trainee's local store: one SQLite file in ``ALLIANCE_HOME``, and their pseudonym.

Every save is one transaction, so a crash or a killed kernel leaves every committed answer in
place (SQLite's default rollback journal, ``synchronous = FULL``; no WAL, because WAL breaks on
the network file systems that hub home folders often use). The schema is versioned with
``PRAGMA user_version``; :data:`MIGRATIONS` brings an older file up to date the first time it is
opened, and a file from a newer course version is refused untouched. The folder is 0700, the
file 0600 (SQLite gives its journal the same mode).

The pseudonym is a random token created once per trainee (privacy rule P1): never derived from a
name, so nobody can recompute it from a class list.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpers.files import private_folder, replace_atomically
from helpers.paths import alliance_home
from helpers.vocabulary import CHECKINS, RATED_GUIDELINES, ROLES, SESSION_RANGE
from helpers.vocabulary import MAX_PRIVATE_TEXT as MAX_TEXT
from helpers.vocabulary import PSEUDONYM_PATTERN as _PSEUDONYM

STORE_FILENAME = "alliance.sqlite3"
PSEUDONYM_FILENAME = "pseudonym"


class StoreError(RuntimeError):
    """The store file cannot be used as it is; the message says why and what to do."""


# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
# An entry is a tuple of single SQL statements, run in order in one transaction: no splitting
# of text on ";", so a future trigger body or a string holding ";" is safe.
MIGRATIONS: list[tuple[str, ...]] = [
    # 1: answers to vignette exercises, one row per attempt or saved state.
    (
        """
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            vignette_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            answer TEXT NOT NULL,
            correct INTEGER,
            created TEXT NOT NULL
        )
        """,
        "CREATE INDEX answers_by_vignette ON answers (vignette_id, id)",
    ),
    # 2: reflections after role-play practice.
    (
        """
        CREATE TABLE reflections (
            id INTEGER PRIMARY KEY,
            session INTEGER NOT NULL,
            role TEXT NOT NULL,
            ratings TEXT NOT NULL,
            checkins TEXT NOT NULL,
            text TEXT NOT NULL DEFAULT '',
            share_text INTEGER NOT NULL DEFAULT 0,
            created TEXT NOT NULL,
            shared_as TEXT
        )
        """,
    ),
    # 3: each exercise's first attempt, kept apart from the later ones (the class view shows
    # first choices: a latest answer says little once trainees retry until they are right).
    (
        """
        CREATE TABLE first_answers (
            vignette_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            answer_id INTEGER NOT NULL,
            answer TEXT NOT NULL,
            correct INTEGER,
            created TEXT NOT NULL,
            PRIMARY KEY (vignette_id, kind)
        )
        """,
        """
        INSERT INTO first_answers (vignette_id, kind, answer_id, answer, correct, created)
        SELECT vignette_id, kind, id, answer, correct, created FROM answers
        WHERE id IN (SELECT MIN(id) FROM answers GROUP BY vignette_id, kind)
        """,
    ),
    # 4: the trainee's corrections of the response coach's reading of a practice reply.
    (
        """
        CREATE TABLE coach_corrections (
            id INTEGER PRIMARY KEY,
            vignette_id TEXT NOT NULL,
            response TEXT NOT NULL,
            coach_labels TEXT NOT NULL,
            trainee_labels TEXT NOT NULL,
            created TEXT NOT NULL
        )
        """,
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Answer:
    """One saved answer to a vignette exercise."""

    id: int
    vignette_id: str
    kind: str
    answer: dict[str, Any]
    correct: bool | None
    created: str
    # False when the saved text could not be read back (then ``answer`` is ``{}``); the row is
    # kept as it is, so nothing saved is lost.
    readable: bool = True


_ANSWER_COLUMNS = "id, vignette_id, kind, answer, correct, created"


def _answer(row: tuple[Any, ...]) -> Answer:
    """One ``answers`` row as an :class:`Answer`; unreadable saved text gives ``answer={}``."""
    try:
        answer = json.loads(row[3])
    except (ValueError, TypeError):
        answer = None
    readable = isinstance(answer, dict)
    return Answer(
        id=row[0],
        vignette_id=row[1],
        kind=row[2],
        answer=answer if readable else {},
        correct=None if row[4] is None else bool(row[4]),
        created=row[5],
        readable=readable,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as a trainee may be shown it: the home folder as ``~`` (never the username), or
    the private folder as ``$ALLIANCE_HOME`` when the course put it somewhere else."""
    path = Path(path)
    home = Path.home()
    if path == home or home in path.parents:
        return "~/" + path.relative_to(home).as_posix() if path != home else "~"
    custom = os.environ.get("ALLIANCE_HOME")
    if custom:
        base = Path(custom).expanduser()
        if path == base or base in path.parents:
            rest = path.relative_to(base).as_posix()
            return "$ALLIANCE_HOME" + ("" if rest == "." else "/" + rest)
    return str(path)


def _private_dir(folder: Path) -> Path:
    """Every folder the store writes into is made or closed to 0700 here."""
    return private_folder(folder, display_path(folder))


def _check_reflection(
    session: int, role: str, ratings: dict[str, int], checkins: dict[str, int], text: str
) -> None:
    problems = []
    low, high = SESSION_RANGE
    if isinstance(session, bool) or not isinstance(session, int) or not low <= session <= high:
        problems.append(f"the session number must be a whole number from {low} to {high}")
    if role not in ROLES:
        problems.append(f"the role must be 'counselor' or 'client', not {role!r}")
    groups = (("ratings", ratings, RATED_GUIDELINES), ("check-ins", checkins, CHECKINS))
    for label, given, names in groups:
        if not isinstance(given, dict) or set(given) != set(names):
            problems.append(f"the {label} must have exactly these items: {', '.join(names)}")
            continue
        for name in names:
            value = given[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
                problems.append(f"{label} '{name}' must be a whole number from 0 to 10")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        problems.append(f"the written comment must be text of at most {MAX_TEXT} characters")
    if problems:
        raise ValueError("Reflection not saved: " + "; ".join(problems) + ".")


class Store:
    """The trainee's answers and reflections, in one SQLite file."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else alliance_home() / STORE_FILENAME
        self._create_private_file()
        try:
            with self._connection() as conn:
                self._migrate(conn)
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"{display_path(self.path)} cannot be read as an Alliance Lab store ({error}). "
                "It has not been changed. Rename it (for example to alliance-broken.sqlite3) "
                "to start a fresh store, and keep the renamed copy for your course team."
            ) from error

    def _create_private_file(self) -> None:
        _private_dir(self.path.parent)
        if not self.path.exists():
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        if self.path.stat().st_mode & 0o077:
            self.path.chmod(0o600)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn
        finally:
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole, or not at all."""
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{display_path(self.path)} was written by a newer version of Alliance Lab "
                f"(store version {version}; this version knows up to {SCHEMA_VERSION}). "
                "It has not been changed. Update the course (ask your instructor) to use it."
            )
        if version == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the lock: another kernel may have migrated meanwhile.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        with self._connection() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    # -- answers to vignette exercises -------------------------------------------------------

    def record_answer(
        self, vignette_id: str, kind: str, answer: dict[str, Any], correct: bool | None = None
    ) -> int:
        """Save one answer (an attempt, a rating, a practice response...) and return its id.

        The first answer to each vignette's exercise is also kept on its own, in the same
        transaction (see :meth:`first_answers`).
        """
        values = (
            vignette_id,
            kind,
            json.dumps(answer, ensure_ascii=False, sort_keys=True),
            None if correct is None else int(bool(correct)),
            _now(),
        )
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO answers (vignette_id, kind, answer, correct, created)"
                " VALUES (?, ?, ?, ?, ?)",
                values,
            )
            answer_id = int(cursor.lastrowid)
            conn.execute(
                "INSERT OR IGNORE INTO first_answers"
                " (vignette_id, kind, answer, correct, created, answer_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (*values, answer_id),
            )
            return answer_id

    def first_answers(self, kind: str | None = None) -> dict[str, Answer]:
        """The first answer to each vignette (of one exercise kind, or of any), by vignette id.

        Kept apart from later attempts, so it stays the first whatever is saved afterwards.
        """
        query = "SELECT answer_id, vignette_id, kind, answer, correct, created FROM first_answers"
        params: tuple[Any, ...] = ()
        if kind is not None:
            query += " WHERE kind = ?"
            params = (kind,)
        with self._connection() as conn:
            rows = conn.execute(query + " ORDER BY answer_id", params).fetchall()
        first: dict[str, Answer] = {}
        for row in rows:
            first.setdefault(row[1], _answer(row))
        return first

    def answers(self, vignette_id: str | None = None) -> list[Answer]:
        """Saved answers, oldest first; all of them, or one vignette's."""
        query = f"SELECT {_ANSWER_COLUMNS} FROM answers"
        params: tuple[Any, ...] = ()
        if vignette_id is not None:
            query += " WHERE vignette_id = ?"
            params = (vignette_id,)
        with self._connection() as conn:
            rows = conn.execute(query + " ORDER BY id", params).fetchall()
        return [_answer(row) for row in rows]

    def latest_answer(self, vignette_id: str) -> Answer | None:
        """The most recent answer to one vignette, or ``None``."""
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE vignette_id = ? ORDER BY id DESC"
                " LIMIT 1",
                (vignette_id,),
            ).fetchone()
        return None if row is None else _answer(row)

    def answered_vignettes(self) -> set[str]:
        """Ids of the vignettes the trainee has answered at least once."""
        with self._connection() as conn:
            return {row[0] for row in conn.execute("SELECT DISTINCT vignette_id FROM answers")}

    # -- reflections ------------------------------------------------------------------------

    def save_reflection(
        self,
        session: int,
        role: str,
        ratings: dict[str, int],
        checkins: dict[str, int],
        text: str = "",
        share_text: bool = False,
    ) -> int:
        """Save one reflection and return its id; bad values raise ValueError saying what to fix."""
        _check_reflection(session, role, ratings, checkins, text)
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO reflections (session, role, ratings, checkins, text, share_text,"
                " created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    int(session),
                    role,
                    json.dumps(ratings, sort_keys=True),
                    json.dumps(checkins, sort_keys=True),
                    text,
                    int(bool(share_text)),
                    _now(),
                ),
            )
            return int(cursor.lastrowid)

    def reflections(self) -> list[dict[str, Any]]:
        """All reflections, oldest first."""
        return self._reflections("", ())

    def reflection(self, reflection_id: int) -> dict[str, Any] | None:
        """One reflection by id, or ``None``."""
        found = self._reflections(" WHERE id = ?", (int(reflection_id),))
        return found[0] if found else None

    def _reflections(self, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT id, session, role, ratings, checkins, text, share_text, created,"
                f" shared_as FROM reflections{where} ORDER BY id",
                params,
            ).fetchall()
        return [
            {
                "id": r[0],
                "session": r[1],
                "role": r[2],
                "ratings": _json_or_none(r[3]),
                "checkins": _json_or_none(r[4]),
                "text": r[5],
                "share_text": bool(r[6]),
                "created": r[7],
                "shared_as": r[8],
            }
            for r in rows
        ]

    def mark_shared(self, reflection_id: int, submission_id: str) -> None:
        """Remember that a reflection was shared, under which submission id."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE reflections SET shared_as = ? WHERE id = ?", (submission_id, reflection_id)
            )
            if cursor.rowcount != 1:
                raise KeyError(f"There is no reflection number {reflection_id}.")


def _json_or_none(text: Any) -> Any:
    """A saved JSON value, or None for a damaged one (the row stays saved; readers skip it)."""
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None


_stores: dict[Path, Store] = {}


def get_store() -> Store:
    """The store in the current ``ALLIANCE_HOME`` (opened once per kernel and folder)."""
    path = alliance_home() / STORE_FILENAME
    if path not in _stores or not path.exists():
        _stores[path] = Store(path)
    return _stores[path]


def pseudonym(home: str | os.PathLike[str] | None = None) -> str:
    """The trainee's pseudonym: a random token made once and kept in their private folder.

    Created with ``O_EXCL`` semantics, so two kernels starting at once agree on one token.
    """
    folder = _private_dir(Path(home) if home is not None else alliance_home())
    path = folder / PSEUDONYM_FILENAME
    if not path.exists():
        try:
            replace_atomically(
                path, secrets.token_urlsafe(16).encode("ascii") + b"\n", overwrite=False
            )
        except FileExistsError:
            pass  # another kernel made it first: use theirs
    token = ""
    for _ in range(50):  # without hard links, another kernel may be mid-write for a moment
        token = path.read_text(encoding="ascii", errors="replace").strip()
        if token:
            break
        time.sleep(0.02)
    if not _PSEUDONYM.match(token):
        raise StoreError(
            f"{display_path(path)} does not hold a valid pseudonym. Delete that file and a new "
            "one will be made (your instructor will see the new one as a different person)."
        )
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return token
