"""``alliance coach``: read a reply the way the course's coach does.

``alliance coach "text"`` prints the labels, the words that triggered each and what they mean
for the alliance. ``--jsonl`` reads ``{"client": ..., "response": ...}`` lines on stdin and
writes one JSON line per input line, in order. ``--evaluate`` prints per-label precision,
recall, F1 and Cohen's κ on the held-out split.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", help="the reply to read, in quotes")
    parser.add_argument("--client", default="", help="what the client said (optional)")
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help='read {"client": ..., "response": ...} lines on stdin, write one JSON line each',
    )
    parser.add_argument(
        "--evaluate",
        action="store_true",
        help="print precision, recall, F1 and kappa per label on the held-out split",
    )
    parser.add_argument("--json", action="store_true", help="with --evaluate: print JSON")
    parser.add_argument(
        "--chart",
        metavar="PATH",
        help="with --evaluate: also write the confusion chart as an SVG file",
    )
    parser.add_argument(
        "--train",
        action="store_true",
        help="train the coach now (it otherwise trains on first use)",
    )


def run(args: argparse.Namespace) -> int:
    if args.evaluate:
        return _evaluate(args)
    if args.train:
        from helpers.coach.model import get_model

        get_model()
        print("The coach is trained and cached.")
        return 0
    if args.jsonl:
        return _jsonl(sys.stdin, sys.stdout)
    if not args.text or not args.text.strip():
        print(
            'alliance coach: give a reply to read, in quotes: alliance coach "So you..."',
            file=sys.stderr,
        )
        return 2
    from helpers.coach.feedback import describe

    print(describe(args.text, client=args.client))
    return 0


def _jsonl(stdin, stdout) -> int:
    from helpers.coach.model import read

    for number, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("a line must be a JSON object")
            response = record.get("response")
            if not isinstance(response, str) or not response.strip():
                raise ValueError('"response" must be a non-empty string')
            client = record.get("client", "")
            if not isinstance(client, str):
                raise ValueError('"client" must be a string when given')
        except ValueError as error:  # json.JSONDecodeError is a ValueError
            message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            out = {"line": number, "error": f"line {number}: {message}; this line was skipped"}
        else:
            out = read(response).as_dict()
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from helpers.coach.evaluate import as_json, confusion_figure, evaluate, report

    result = evaluate()
    print(json.dumps(as_json(result), indent=2) if args.json else report(result))
    if args.chart:
        from helpers.figures import svg_text

        svg = "\n".join(line.rstrip() for line in svg_text(confusion_figure(result)).splitlines())
        Path(args.chart).write_text(svg + "\n", encoding="utf-8")
    return 0
