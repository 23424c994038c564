"""Crisis lines by country, from ``data/crisis/resources.yaml``: the one place a number is written.

A crisis line is only useful if it is the right one for where the client is, so no notebook types
a number: :func:`show_crisis_resources` shows the lines for the country an instructor sets in
``ALLIANCE_COUNTRY`` (every listed line when none is set, and the international directory always).
``alliance validate`` checks the file against ``data/schema/crisis-resources.schema.json``.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from helpers.bank import Problem
from helpers.paths import data_path
from helpers.schemas import field_name, findings, validator

COUNTRY_VARIABLE = "ALLIANCE_COUNTRY"
RESOURCES_FILE = ("crisis", "resources.yaml")

NOT_EMERGENCY = (
    "A crisis line is not an emergency service. If someone is in immediate danger, use the local "
    "emergency number for where they are and follow your site's protocol."
)
CHECK_FIRST = "Numbers and services change: check a line before you give it to a client."
UNREADABLE = (
    "The course's list of crisis lines could not be read, so none is shown here. Tell your "
    "instructor, who can run 'alliance validate' to see why."
)


class CrisisFileError(Exception):
    """The crisis file cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class CrisisLine:
    name: str
    number: str
    how: str
    note: str
    url: str
    checked: str


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    aliases: tuple[str, ...]
    lines: tuple[CrisisLine, ...]


@dataclass(frozen=True)
class CrisisResources:
    checked: str
    directory: dict[str, str]
    countries: dict[str, Country]

    def find(self, wanted: str) -> Country | None:
        """The country whose code, name or alias is ``wanted`` (any case), or None."""
        key = wanted.strip().casefold()
        for country in self.countries.values():
            names = (country.code, country.name, *country.aliases)
            if key in {name.casefold() for name in names}:
                return country
        return None


def resources_path() -> Path:
    """Where the course's crisis file lives (it follows ``ALLIANCE_DATA``)."""
    return data_path(*RESOURCES_FILE)


# --------------------------------------------------------------------------- checking the file


def check_crisis_file(path: str | os.PathLike[str] | None = None) -> list[Problem]:
    """Every problem in the crisis file, located by line, in plain words (empty when fine)."""
    path = Path(path) if path is not None else resources_path()
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return [
            _problem(name, None, None, "the crisis file is missing; restore it from the course")
        ]
    except (OSError, UnicodeDecodeError) as error:
        return [_problem(name, None, None, f"cannot read the crisis file as UTF-8 text ({error})")]
    try:
        node = yaml.compose(text)
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        return [_problem(name, line, None, "this is not valid YAML; fix the line shown")]
    problems = [
        _problem(name, _line_of(node, list(found.path)), found.field or None, found.message)
        for found in findings(validator("crisis-resources"), loaded)
    ]
    if problems or not isinstance(loaded, dict):
        return problems
    return _alias_problems(name, node, loaded["countries"])


def _alias_problems(name: str, node: Any, countries: dict[str, Any]) -> list[Problem]:
    """Two countries must never answer to the same name, or a setting would be ambiguous."""
    problems = []
    owner: dict[str, str] = {}
    for code, country in countries.items():
        names = [code, country["name"], *country.get("aliases", [])]
        for index, alias in enumerate(names):
            key = alias.casefold()
            if key in owner and owner[key] != code:
                path = (
                    ["countries", code, "aliases", index - 2] if index >= 2 else ["countries", code]
                )
                problems.append(
                    _problem(
                        name,
                        _line_of(node, path),
                        field_name(path),
                        f"'{alias}' already names {owner[key]}; give each country its own names",
                    )
                )
            owner.setdefault(key, code)
    return problems


def _problem(file: str, line: int | None, field: str | None, message: str) -> Problem:
    return Problem(file=file, line=line, vignette=None, field=field, message=message)


def _line_of(node: Any, path: list[Any]) -> int | None:
    """The 1-based line of the YAML node at ``path`` (or of its nearest parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


# --------------------------------------------------------------------------- loading and showing


def load_crisis_resources(path: str | os.PathLike[str] | None = None) -> CrisisResources:
    """The crisis file as the notebooks use it, or a :class:`CrisisFileError` in plain words.

    Only the shape a notebook needs is checked here, so showing the lines never loads the schema
    validator; ``alliance validate`` (:func:`check_crisis_file`) checks the file in full.
    """
    path = Path(path) if path is not None else resources_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        countries = {
            str(code): Country(
                code=str(code),
                name=str(entry["name"]),
                aliases=tuple(str(a) for a in entry.get("aliases") or ()),
                lines=tuple(
                    CrisisLine(
                        name=str(line["name"]),
                        number=str(line["number"]),
                        how=str(line["how"]),
                        note=" ".join(str(line.get("note", "")).split()),
                        url=str(line.get("url", "")),
                        checked=str(line["checked"]),
                    )
                    for line in entry["lines"]
                ),
            )
            for code, entry in raw["countries"].items()
        }
        directory = {
            key: " ".join(str(raw["directory"][key]).split())
            for key in ("name", "url", "description")
        }
        checked = str(raw["checked"])
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CrisisFileError(f"{path.name}: cannot be read ({error})") from error
    except (KeyError, TypeError, AttributeError) as error:
        raise CrisisFileError(
            f"{path.name}: not in the expected form; run 'alliance validate'"
        ) from error
    return CrisisResources(checked=checked, directory=directory, countries=countries)


class CrisisView:
    """What a notebook shows: the lines for the course's country, the directory, two cautions."""

    def __init__(self, heading: str, countries: list[Country], directory: dict[str, str] | None):
        self.heading = heading
        self.countries = countries
        self.directory = directory

    def _repr_html_(self) -> str:
        parts = ['<section class="alliance-crisis" aria-label="Crisis lines">']
        parts.append(f"<p>{html.escape(self.heading)}</p>")
        for country in self.countries:
            parts.append(f"<p><strong>{html.escape(country.name)}</strong></p><ul>")
            for line in country.lines:
                item = (
                    f"<strong>{html.escape(line.name)}: {html.escape(line.number)}.</strong> "
                    f"{html.escape(line.how)}"
                )
                if line.note:
                    item += f" {html.escape(line.note)}"
                if line.url:
                    item += f' <a href="{html.escape(line.url)}">{html.escape(line.url)}</a>'
                item += f" (checked {html.escape(line.checked)})"
                parts.append(f"<li>{item}</li>")
            parts.append("</ul>")
        if self.directory:
            url = html.escape(self.directory["url"])
            parts.append(
                f"<p><strong>Anywhere else: {html.escape(self.directory['name'])}.</strong> "
                f'{html.escape(self.directory["description"])} <a href="{url}">{url}</a></p>'
            )
            parts.append(f"<p>{html.escape(NOT_EMERGENCY)} {html.escape(CHECK_FIRST)}</p>")
        parts.append("</section>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        lines = [self.heading]
        for country in self.countries:
            lines.append(f"{country.name}:")
            for line in country.lines:
                lines.append(f"- {line.name}: {line.number}. {line.how}")
        if self.directory:
            lines.append(f"Anywhere else: {self.directory['name']}, {self.directory['url']}")
            lines.append(NOT_EMERGENCY)
        return "\n".join(lines)


def show_crisis_resources(
    country: str | None = None, *, path: str | os.PathLike[str] | None = None
) -> CrisisView:
    """The crisis lines for the course's country (``ALLIANCE_COUNTRY``), never a typed number."""
    try:
        resources = load_crisis_resources(path)
    except CrisisFileError:
        return CrisisView(f"{UNREADABLE} {NOT_EMERGENCY}", [], None)
    wanted = (country if country is not None else os.environ.get(COUNTRY_VARIABLE, "")).strip()
    every = list(resources.countries.values())
    if not wanted:
        heading = (
            "No country is set for this course, so every crisis line the course lists is shown "
            "(your instructor can set one). Give a client the line for where they are."
        )
        return CrisisView(heading, every, resources.directory)
    found = resources.find(wanted)
    if found is None:
        heading = (
            f"The course lists no crisis line for '{wanted}', the country set for this course. "
            "Use the directory below to find the line for where your client is, and check it "
            "with your supervisor."
        )
        return CrisisView(heading, [], resources.directory)
    heading = f"Crisis lines for {found.name}, the country set for this course."
    return CrisisView(heading, [found], resources.directory)
