"""``alliance guide [--write] [--check]``: the instructor guide, generated from the course's data.

The guide (``docs/instructor-guide.md``) gathers the class plans, the answer rationale of every
vignette in the bank, the glossary and the bibliography. It is built from ``docs/class-plans/``
and ``data/`` every time, so it never drifts from what trainees see: edit the data, then run
``make guide``. ``--check`` fails when the committed guide is out of date.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from helpers.bank import Bank, Vignette, best_path, load_bank
from helpers.casting import CASTING_NAME, build_casting
from helpers.paths import data_dir
from helpers.vocabulary import RATED_GUIDELINES, TOPICS

# The course's notebooks in teaching order (the layout in README.md); 00 has no class plan.
NOTEBOOKS: tuple[tuple[str, str], ...] = (
    ("01", "understand-the-alliance"),
    ("02", "build-safety"),
    ("03", "show-genuine-care"),
    ("04", "seek-understanding"),
    ("05", "keep-the-focus-on-the-client"),
    ("06", "repair-ruptures"),
    ("07", "hold-boundaries"),
    ("08", "work-with-risk"),
    ("09", "work-across-difference"),
    ("10", "reflect-and-share"),
    ("11", "class-reflections"),
)
GUIDE_NAME = "instructor-guide.md"


class GuideError(Exception):
    """The guide cannot be built; the message says which file to fix and how."""


def course_root() -> Path:
    """The course folder that holds ``data/``, ``docs/`` and ``notebooks/``."""
    return data_dir().resolve().parent


# --------------------------------------------------------------------------- merging data files


def _read_mapping(path: Path, what: str) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise GuideError(
            f"{path.name}{where}: this {what} file is not valid YAML; fix the line shown "
            "and run 'make guide' again"
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise GuideError(f"{path.name}: cannot read this {what} file ({error})") from error
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise GuideError(
            f"{path.name}: a {what} file must be a mapping of 'key: value' lines, "
            f"not a {type(loaded).__name__}"
        )
    return loaded


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))


def merge_glossary(paths: Iterable[Path]) -> dict[str, str]:
    """All glossary terms from ``paths``; a term defined differently in two files is an error."""
    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in paths:
        for term, definition in _read_mapping(path, "glossary").items():
            if not isinstance(definition, str) or not definition.strip():
                raise GuideError(
                    f"{path.name}: glossary term '{term}' needs a definition in words "
                    "(term: definition)"
                )
            key = str(term)
            if key in merged and merged[key].strip() != definition.strip():
                raise GuideError(
                    f"glossary term '{key}' is defined differently in {origin[key]} and "
                    f"{path.name}; keep one definition (or make them identical)"
                )
            merged.setdefault(key, definition.strip())
            origin.setdefault(key, path.name)
    return merged


def merge_references(paths: Iterable[Path]) -> dict[str, dict[str, str]]:
    """All references from ``paths``; a key with two different entries is an error."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in paths:
        for key, entry in _read_mapping(path, "reference").items():
            key = str(key)
            if not isinstance(entry, dict) or not str(entry.get("apa", "")).strip():
                raise GuideError(
                    f"{path.name}: reference '{key}' needs an 'apa:' field with the full "
                    "APA 7 reference"
                )
            clean = {k: str(v).strip() for k, v in entry.items() if v is not None}
            if key in merged and merged[key] != clean:
                raise GuideError(
                    f"reference '{key}' is defined differently in {origin[key]} and "
                    f"{path.name}; define it in one file only (or make the entries identical)"
                )
            merged.setdefault(key, clean)
            origin.setdefault(key, path.name)
    return merged


# --------------------------------------------------------------------------- rendering


def _indent_headings(text: str, by: int) -> str:
    """Move every Markdown heading ``by`` levels down, dropping a leading ``#`` title."""
    lines = text.strip().splitlines()
    if lines and re.match(r"^#\s", lines[0]):
        lines = lines[1:]
    out = []
    in_fence = False
    for line in lines:
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence and re.match(r"^#{1,6}\s", line):
            level = len(line) - len(line.lstrip("#"))
            line = "#" * min(6, level + by) + line[level:]
        out.append(line)
    return "\n".join(out).strip()


def _notebook_title(root: Path, number: str, slug: str) -> str:
    """The notebook's ``#`` title if the notebook exists, else a title made from its name."""
    path = root / "notebooks" / f"{number}-{slug}.ipynb"
    if path.exists():
        try:
            import json

            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
            for cell in cells:
                if cell.get("cell_type") == "markdown":
                    source = "".join(cell.get("source", ""))
                    match = re.search(r"^#\s+(.+)$", source, flags=re.MULTILINE)
                    if match:
                        return match.group(1).strip()
        except (OSError, ValueError):
            pass
    return slug.replace("-", " ").capitalize()


def _class_plans(root: Path) -> list[str]:
    parts = ["## Class plans", ""]
    parts.append(
        "One 90-minute plan per notebook, from `docs/class-plans/NN.md`. Each uses the "
        "notebook's practice vignettes for pair or small-group role-play."
    )
    for number, slug in NOTEBOOKS:
        title = _notebook_title(root, number, slug)
        parts += ["", f"### {number} {title}", "", f"Notebook: `notebooks/{number}-{slug}.ipynb`"]
        plan = root / "docs" / "class-plans" / f"{number}.md"
        if plan.exists():
            parts += ["", _indent_headings(plan.read_text(encoding="utf-8"), 2)]
        else:
            parts += ["", f"No class plan yet: add `docs/class-plans/{number}.md`."]
    return parts


def _text(text: Any) -> str:
    """Data text made safe for the guide: Markdown viewers render raw HTML, so any ``<``, ``>``
    or ``&`` in a vignette, glossary or reference file is escaped and shows as typed."""
    return html.escape(str(text), quote=False)


def _one_line(text: Any) -> str:
    """Data text on one line, escaped (see :func:`_text`)."""
    return _text(" ".join(str(text).split()))


def _quote(text: Any) -> str:
    return "> " + _one_line(text)


def _code(text: Any) -> str:
    """Data text as inline code (shown literally), fenced so a backtick inside cannot end it."""
    plain = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", plain)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{plain}{pad}{fence}"


_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`()\[\]\\]+$")


def _doi_link(doi: str) -> str:
    """A DOI as a Markdown link; characters that could end the link are percent-encoded."""
    url = "https://doi.org/" + quote(doi.strip(), safe="/:;.-_")
    return f"[{_text(url)}]({url})"


def _effect(choice: dict[str, Any]) -> str:
    effect = choice.get("effect") or {}
    if not effect:
        return "no change"
    return ", ".join(f"{_one_line(k)} {int(v):+d}" for k, v in sorted(effect.items()))


def _choose_key(ex: dict[str, Any]) -> list[str]:
    out: list[str] = []
    options = ex.get("options", [])
    best = next((o for o in options if o.get("best")), None)
    if best is not None:
        out += [
            f"**Best response: option id {_one_line(best['id'])}.** Each trainee sees the "
            "options in an order of their own, so the letter on their screen may differ.",
            "",
            _quote(best["text"]),
            "",
        ]
    out += ["**Why:** " + _one_line(ex.get("rationale", "")), ""]
    out += ["**Feedback per option:**", ""]
    for o in options:
        mark = " (best)" if o.get("best") else ""
        out.append(f"- **{_one_line(o['id'])}**{mark}: {_one_line(o['text'])}")
        out.append(f"  - {_one_line(o['feedback'])}")
    return out


def _rate_key(ex: dict[str, Any]) -> list[str]:
    ref = ex.get("reference", {})
    why = ex.get("rationale", {})
    out = ["**Reference ratings (0–10):**", ""]
    out += ["| Guideline | Rating | Why |", "|---|---|---|"]
    for g in RATED_GUIDELINES:
        reason = _one_line(why.get(g, "")).replace("|", "\\|")
        out.append(f"| {g} | {_one_line(ref.get(g, ''))} | {reason} |")
    return out


def _practice_key(ex: dict[str, Any]) -> list[str]:
    out = ["**Prompt:** " + _one_line(ex.get("prompt", "")), "", "**Rubric:**", ""]
    out += [f"- {_one_line(item)}" for item in ex.get("rubric", [])]
    out += ["", "**Example responses:**", ""]
    for example in ex.get("examples", []):
        out.append(f"- {_one_line(example['text'])}")
        out.append(f"  - *Note:* {_one_line(example['note'])}")
    links = [f"{k}: {_code(ex[k])}" for k in ("easier", "harder") if ex.get(k)]
    if links:
        out += ["", "Linked practice: " + "; ".join(links) + "."]
    return out


def _dialogue_key(ex: dict[str, Any]) -> list[str]:
    start = ex.get("alliance", {})
    out = [
        "Starting alliance: "
        + ", ".join(f"{k} {_one_line(start[k])}" for k in ("bond", "goals", "tasks") if k in start)
        + "."
    ]
    out += ["", "**Best path:**", ""]
    number = 0
    for step, choice in best_path(ex):
        if choice is None:
            out.append(f"- Ending {_code(step['id'])}: {_one_line(step.get('ending', ''))}")
            continue
        number += 1
        out.append(f"{number}. Client: “{_one_line(step['client'])}”")
        out.append(f"   - Counselor: “{_one_line(choice['text'])}” ({_effect(choice)})")
        out.append(f"   - {_one_line(choice.get('reason', ''))}")
    out += ["", "**All endings:**", ""]
    for step in ex.get("steps", []):
        if not step.get("choices"):
            out.append(f"- {_code(step['id'])}: {_one_line(step.get('ending', ''))}")
    return out


def _spot_key(ex: dict[str, Any]) -> list[str]:
    out = ["**Prompt:** " + _one_line(ex.get("prompt", "")), "", "**Rupture lines:**", ""]
    for n, line in enumerate(ex.get("transcript", []), start=1):
        rupture = line.get("rupture", "none")
        if rupture and rupture != "none":
            out.append(
                f"- Line {n} ({_one_line(line['speaker'])}, **{_one_line(rupture)}**): "
                f"“{_one_line(line['text'])}”"
            )
            out.append(f"  - {_one_line(line.get('feedback', ''))}")
    out += ["", "**Why:** " + _one_line(ex.get("rationale", ""))]
    return out


# The instructor's key for each exercise kind: one function per kind.
KIND_SECTIONS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "choose": _choose_key,
    "rate": _rate_key,
    "practice": _practice_key,
    "dialogue": _dialogue_key,
    "spot": _spot_key,
}


def _exercise_rationale(v: Vignette) -> list[str]:
    section = KIND_SECTIONS.get(v.exercise["kind"])
    return section(v.exercise) if section is not None else []


def _vignette_section(v: Vignette) -> list[str]:
    out = [
        f"#### {v.id}: {_one_line(v.title)}",
        "",
        f"*{_one_line(v.kind)}* · {_one_line(v.difficulty)} · guidelines: "
        f"{_one_line(', '.join(v.guidelines))} · dimension: {_one_line(v.dimension)}",
        "",
        "**Client:** " + _one_line(v.context),
        "",
        _quote(v.says),
        "",
    ]
    out += _exercise_rationale(v)
    if v.sources:
        out += ["", "Sources: " + ", ".join(_code(key) for key in v.sources) + "."]
    out.append("")
    return out


def _rationales(bank: Bank) -> list[str]:
    out = [
        "## Answer rationales",
        "",
        f"Every vignette in the bank ({len(bank.vignettes)}), grouped by topic file. Trainees see "
        "this feedback only after an attempt; use it to debrief.",
    ]
    topics = sorted(
        {v.topic for v in bank.vignettes.values()},
        key=lambda t: (TOPICS.index(t) if t in TOPICS else len(TOPICS), t),
    )
    for topic in topics:
        out += ["", f"### Topic: {_one_line(topic)}", ""]
        chosen = [v for v in bank.vignettes.values() if v.topic == topic]
        for v in sorted(chosen, key=lambda v: v.id):
            out += _vignette_section(v)
    return out


def _glossary(terms: dict[str, str]) -> list[str]:
    out = ["## Glossary", ""]
    if not terms:
        return out + ["No glossary terms yet (add `data/glossary/<topic>.yaml`)."]
    for term in sorted(terms, key=str.casefold):
        out.append(f"- **{_one_line(term)}**: {_one_line(terms[term])}")
    return out


def _bibliography(refs: dict[str, dict[str, str]]) -> list[str]:
    out = ["## Bibliography", ""]
    if not refs:
        return out + ["No references yet (add `data/references/<topic>.yaml`)."]
    seen: set[str] = set()
    for key, entry in sorted(refs.items(), key=lambda kv: (kv[1]["apa"].casefold(), kv[0])):
        apa = " ".join(entry["apa"].split())
        if apa in seen:
            continue
        seen.add(apa)
        line = f"- {_one_line(apa)}"
        doi = entry.get("doi")
        url = entry.get("url", "")
        if doi:
            line += " " + _doi_link(doi)
        elif url and url not in apa:
            # A link only for a plain web address; anything else is shown as text.
            line += f" <{url}>" if _SAFE_URL.match(url) else f" {_one_line(url)}"
        out.append(line + f" {_code(key)}")
    return out


def build_guide(root: Path | None = None, bank: Bank | None = None) -> str:
    """The full text of the instructor guide, built from the course's current files."""
    root = course_root() if root is None else Path(root)
    bank = load_bank() if bank is None else bank
    data = root / "data"
    terms = merge_glossary(_yaml_files(data / "glossary"))
    refs = merge_references(_yaml_files(data / "references"))
    parts = [
        "# Instructor guide",
        "",
        "<!-- Generated by `alliance guide --write` from docs/class-plans/ and data/. "
        "Do not edit by hand: change the source files and run `make guide`. -->",
        "",
        "This guide is for instructors running Alliance Lab with a class of trainee counselors. "
        "It gathers, in one place, the class plan for each notebook, the answer rationale for "
        "every exercise in the vignette bank, the course glossary and the bibliography. It is "
        "generated from the course's own files, so it always matches what trainees see.",
        "",
        "How to use it: before each class, read the notebook's plan and the rationales of the "
        "vignettes it shows; during debriefs, use the feedback to talk about what each response "
        "does to the alliance (safety, care, understanding, focus; goal, task, bond).",
        "",
    ]
    parts += _class_plans(root)
    parts += [""]
    parts += _rationales(bank)
    parts += [""]
    parts += _glossary(terms)
    parts += [""]
    parts += _bibliography(refs)
    text = "\n".join(parts)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip() + "\n"


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--write", action="store_true", help="write docs/instructor-guide.md (default: print it)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if docs/instructor-guide.md differs from what would be generated",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="the guide file to write or check (default: docs/instructor-guide.md)",
    )
    parser.add_argument(
        "--casting-output",
        type=Path,
        default=None,
        help="the casting audit to write or check (default: docs/casting.md, unless --output "
        "names another guide file)",
    )


def run(args: argparse.Namespace) -> int:
    root = course_root()
    target = args.output or root / "docs" / GUIDE_NAME
    bank = load_bank()
    try:
        text = build_guide(root, bank)
    except GuideError as error:
        print(f"alliance guide: {error}", file=sys.stderr)
        return 1
    casting_target = args.casting_output
    if casting_target is None and args.output is None:
        casting_target = root / "docs" / CASTING_NAME
    outputs = [(target, text, "the vignettes, class plans, glossary and references")]
    if casting_target is not None:
        outputs.append((casting_target, build_casting(bank), "the casting fields of the vignettes"))
    if bank.problems:
        print(
            f"alliance guide: warning: {len(bank.problems)} problem(s) in the vignette bank; "
            "the guide leaves out broken vignettes. Run 'alliance validate' to see them.",
            file=sys.stderr,
        )
    if args.check:
        status = 0
        for path, wanted, source in outputs:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != wanted:
                state = "is missing" if current is None else "is out of date"
                print(
                    f"alliance guide: {path} {state}: it no longer matches {source}. Run "
                    "`make guide` (or `alliance guide --write`) and commit the result.",
                    file=sys.stderr,
                )
                status = 1
            else:
                print(f"{path}: up to date")
        return status
    if args.write:
        for path, wanted, _source in outputs:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(wanted, encoding="utf-8")
            print(f"wrote {path} ({len(bank.vignettes)} vignettes)")
        return 0
    sys.stdout.write(text)
    return 0
