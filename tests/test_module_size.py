"""No module of the course's package is too long to read in one sitting."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "helpers"
LIMIT = 550  # lines; about 500 is the aim


def lengths() -> dict[str, int]:
    return {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text("utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }


def test_no_module_is_over_the_limit():
    long = {name: n for name, n in lengths().items() if n > LIMIT}
    assert long == {}, f"split these by job into modules of at most {LIMIT} lines: {long}"
