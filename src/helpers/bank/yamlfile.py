"""Reading a vignette file: plain YAML only, every mapping and list remembering its line, and
every way a file can fail to be read told in plain words with the line to look at."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from helpers.bank.model import Problem

MAX_FILE_BYTES = 1_000_000
_BOM = b"\xef\xbb\xbf"


class YamlMap(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    __slots__ = ("line", "key_lines")


class YamlList(list):
    """A YAML sequence that remembers its own line and the line of each item."""

    __slots__ = ("line", "item_lines")


class _AliasError(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("anchors and aliases")
        self.mark = mark


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_SCALARS = yaml.SafeLoader.yaml_constructors
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _Builder:
    """Turns composed YAML nodes into :class:`YamlMap`/:class:`YamlList`/scalars with line numbers.

    Only plain YAML is accepted (no anchors, aliases, merge keys or custom tags): vignette
    files are text, and aliases could make a small file expand into a huge one.
    """

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.duplicate_keys: list[tuple[int, str]] = []

    def build(self, node: yaml.Node) -> Any:
        if id(node) in self.seen:
            raise _AliasError(node.start_mark)
        self.seen.add(id(node))
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _MAP:
            data = YamlMap()
            data.line = node.start_mark.line + 1
            data.key_lines = lines = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    raise _AliasError(key_node.start_mark)
                key = self.build(key_node)
                try:
                    hash(key)
                except TypeError:
                    key = str(key)
                line = key_node.start_mark.line + 1
                if key in lines:
                    self.duplicate_keys.append((line, str(key)))
                lines[key] = line
                data[key] = self.build(value_node)
            return data
        if tag == _SEQ:
            data = YamlList(self.build(item) for item in node.value)
            data.line = node.start_mark.line + 1
            data.item_lines = [item.start_mark.line + 1 for item in node.value]
            return data
        if isinstance(node, yaml.ScalarNode) and tag in _SCALARS:
            try:
                return _SCALARS[tag](_SCALAR_CONSTRUCTOR, node)
            except (ValueError, OverflowError) as exc:  # e.g. a date like 2026-02-30
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"cannot read {node.value!r} ({exc}); put it in quotes",
                    node.start_mark,
                ) from None
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {tag!r} is not allowed here", node.start_mark
        )


def line_of(instance: Any, path: Iterable[Any]) -> int | None:
    """The line of the node at ``path`` inside ``instance`` (key line for mapping values; for
    a missing field, the line of the mapping that lacks it)."""
    line = getattr(instance, "line", None)
    node = instance
    for part in path:
        if isinstance(node, YamlMap) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, YamlList) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def read_yaml(path: Path, problems: list[Problem]) -> tuple[Any, str]:
    """The parsed document (None after recording a plain-words problem), and the file's text
    (empty when it could not be read)."""
    name = str(path)

    def fail(message: str, line: int | None = None) -> None:
        problems.append(Problem(name, line, None, None, message))

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        fail("file not found — check the path")
        return None, ""
    except OSError as exc:
        fail(f"cannot open the file ({exc.strerror}) — check the path and its permissions")
        return None, ""
    if size > MAX_FILE_BYTES:
        fail(
            f"file is {size / 1_000_000:.1f} MB ({size:,} bytes); the limit is 1 MB "
            f"({MAX_FILE_BYTES:,} bytes) per vignette file — split it into smaller topic files "
            "(it was not read)"
        )
        return None, ""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read the file ({exc.strerror})")
        return None, ""
    skip = len(_BOM) if raw.startswith(_BOM) else 0
    try:
        text = raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        line = raw.count(b"\n", 0, offset) + 1
        fail(
            f"byte {offset} (0x{raw[offset]:02x}) is not valid UTF-8 text — save the file "
            "with UTF-8 encoding",
            line,
        )
        return None, ""
    builder = _Builder()
    try:
        node = yaml.compose(text, Loader=SAFE_LOADER)
        document = None if node is None else builder.build(node)
    except _AliasError as exc:
        fail(
            "anchors, aliases and merge keys (&name, *name, <<) are not allowed in vignette "
            "files — write the text out in full",
            exc.mark.line + 1,
        )
        return None, ""
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "unreadable YAML"
        if exc.context and exc.context_mark is not None and exc.problem_mark is not None:
            what += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
        hint = (
            "indent with spaces, not tabs"
            if "tab" in what
            else "check the indentation, quotes and brackets around there"
        )
        if mark is not None:
            fail(
                f"not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {what} — "
                + hint,
                mark.line + 1,
            )
        else:
            fail(f"not valid YAML: {what}")
        return None, ""
    except (yaml.YAMLError, ValueError) as exc:
        fail(f"not valid YAML: {exc}")
        return None, ""
    except RecursionError:
        fail("the file is nested too deeply to read — vignettes need only a few levels")
        return None, ""
    for line, key in builder.duplicate_keys:
        fail(f"the field '{key}' appears twice in the same place — keep only one", line)
    if document is None:
        fail(
            "the file is empty — start it with 'vignettes:' followed by a list of vignettes "
            "(see docs/authoring.md)",
            1,
        )
    return document, text
