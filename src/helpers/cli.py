"""The ``alliance`` command: one entry point, each subcommand in its own module.

Each module named below provides ``add_arguments(parser)`` and ``run(args) -> int``. Only the
module of the command being run is imported, so ``alliance --help`` stays fast.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sqlite3
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("helpers.validate", "check vignette files against the schema and the bank"),
    "export": ("helpers.share", "write your reflections as pseudonymous submission files"),
    "dropbox": ("helpers.dropbox", "set up (init) or check a drop folder for reflections"),
    "collect": ("helpers.collect", "read a drop folder into one class table (class.csv)"),
    "sample": ("helpers.sample", "generate a synthetic class for practice and demos"),
    "link": ("helpers.links", "print nbgitpuller links for a JupyterHub"),
    "guide": ("helpers.guide", "regenerate the instructor guide from the vignette bank"),
    "measure": ("alliance_ops.measure", "measure memory per trainee for hub sizing"),
    "coach": ("helpers.coach.command", "read a typed reply: kinds of response, cue words"),
    "handout": ("helpers.handout", "write the class view as a PDF handout (no code needed)"),
    "my-work": ("helpers.mywork", "all your answers and reflections on one page (--pdf)"),
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: alliance COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "Run 'alliance COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"alliance: unknown command '{name}'.\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, help_text = COMMANDS[name]
    try:
        code = _run(name, module_name, help_text, rest)
        sys.stdout.flush()  # inside the guard: a reader that went away is no error
        return code
    except BrokenPipeError:
        # the reader (e.g. `| head`) stopped reading: stop quietly, as other commands do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print(f"alliance {name}: stopped.", file=sys.stderr)
        return 130
    except (OSError, sqlite3.Error, ValueError, LookupError, RuntimeError) as error:
        print(f"alliance {name}: {_plain(error)}", file=sys.stderr)
        return 1


def _run(name: str, module_name: str, help_text: str, rest: list[str]) -> int:
    from helpers.paths import exposure_warning

    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"alliance {name}", description=help_text)
    module.add_arguments(parser)
    args = parser.parse_args(rest)
    if name in _TRAINEE_COMMANDS:
        warning = exposure_warning()
        if warning:
            print(warning, file=sys.stderr)
    return int(module.run(args) or 0)


_TRAINEE_COMMANDS = {"export"}


def _plain(error: BaseException) -> str:
    """One sentence for an error no command expected: what happened and what to do."""
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        reason = error.strerror or str(error) or error.__class__.__name__
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"the disk is full{where}; free some space and run the command again."
        if error.errno == errno.EROFS:
            return f"the disk is read-only{where}; ask the server's administrator."
        return f"{reason}{where}; check the path and its permissions, then try again."
    if isinstance(error, sqlite3.Error):
        return (
            f"your private store could not be read ({error}); it has not been changed. Tell "
            "your instructor, who can pass this on to the course maintainers."
        )
    return (
        f"this could not be done ({error or error.__class__.__name__}); nothing was changed."
        " If it keeps happening, tell your instructor."
    )


if __name__ == "__main__":
    sys.exit(main())
