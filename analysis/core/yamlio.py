"""YAML reading that remembers line numbers, so configuration errors can point at a line."""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import yaml

from analysis.core.errors import InputError

__all__ = ["load_yaml_with_lines"]


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            lines[key] = key_node.start_mark.line + 1
            _walk(value_node, key, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = f"{prefix}[{i}]"
            lines[key] = item.start_mark.line + 1
            _walk(item, key, lines)


def load_yaml_with_lines(
    path: str | PathLike[str], *, what: str = "file"
) -> tuple[Any, dict[str, int]]:
    """Parse a YAML file and map every key path to its line.

    Parameters
    ----------
    path
        A UTF-8 YAML file.
    what
        What the file is, for messages ("study file", "codebook", ...).

    Returns
    -------
    (data, lines)
        The parsed data and a mapping from dotted key paths (``compare.method``,
        ``items[3].column``) to 1-based line numbers.

    Raises
    ------
    InputError
        The file is missing, not UTF-8, or not valid YAML (the message gives the line).
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found", file=path) from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a {what}", file=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name}: the {what} is not UTF-8 (byte {exc.start}); save it as UTF-8",
            file=path,
        ) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            f"{path.name}{where}: invalid YAML in the {what}: {problem}", file=path
        ) from None
    lines: dict[str, int] = {}
    if node is not None:
        _walk(node, "", lines)
    return data, lines
