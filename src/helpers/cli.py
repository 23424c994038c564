"""The ``alliance`` command: one entry point, each subcommand in its own module.

Each module named below provides ``add_arguments(parser)`` and ``run(args) -> int``. Only the
module of the command being run is imported, so ``alliance --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("helpers.validate", "check vignette files against the schema and the bank"),
    "export": ("helpers.share", "write your reflections as pseudonymous submission files"),
    "dropbox": ("helpers.dropbox", "set up (init) or check a drop folder for reflections"),
    "collect": ("helpers.collect", "read a drop folder into one class table (class.csv)"),
    "sample": ("helpers.sample", "generate a synthetic class for practice and demos"),
    "link": ("helpers.links", "print nbgitpuller links for a JupyterHub"),
    "guide": ("helpers.guide", "regenerate the instructor guide from the vignette bank"),
    "measure": ("helpers.measure", "measure memory per trainee for hub sizing"),
    "coach": ("helpers.coach.command", "read a typed reply: kinds of response, cue words"),
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
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"alliance {name}", description=help_text)
    module.add_arguments(parser)
    args = parser.parse_args(rest)
    return int(module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
