"""YAML that remembers line numbers, so a problem in a configuration file names its line.

One reader for every YAML file of a study (study files, codebooks, lexicons):
:func:`read_yaml_text` reads the file, :func:`parse_yaml` parses it safely into data and
into nodes that keep their lines, :func:`yaml_lines` maps every key and list item to its line, which
:class:`~analysis.core.errors.Problems` uses to place a problem.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core.errors import InputError

if TYPE_CHECKING:
    import yaml

__all__ = [
    "load_yaml_with_lines",
    "node_line",
    "node_value",
    "parse_yaml",
    "read_yaml_text",
    "yaml_lines",
]

YamlPath = tuple[Any, ...]


def read_yaml_text(
    path: str | PathLike[str], *, what: str = "file", error: type[InputError] = InputError
) -> str:
    """The text of a UTF-8 YAML file (a byte-order mark is allowed).

    Raises
    ------
    InputError
        Of class ``error``: the file is missing, a folder or not UTF-8.
    """
    path = Path(path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: {what} not found", file=path) from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, expected a {what}", file=path) from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{path.name}: the {what} is not UTF-8 (byte {exc.start}); save it as UTF-8",
            file=path,
        ) from None


def parse_yaml(
    text: str,
    *,
    file: str | PathLike[str] | None = None,
    what: str = "file",
    error: type[InputError] = InputError,
) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text safely: the data, and the nodes, which keep their line numbers.

    Raises
    ------
    InputError
        Of class ``error``: the text is not valid YAML, or asks for a Python object
        (``!!python/...`` tags are refused); the message names the line.
    """
    import yaml

    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        name = Path(file).name if file is not None else what
        where = f", line {line}" if line is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(
            f"{name}{where}: not valid YAML in the {what}: {problem}", file=file, row=line
        ) from None


def node_line(node: yaml.Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


def node_value(node: yaml.Node | None) -> Any:
    """The Python value of a node (None for no node)."""
    import yaml

    return yaml.safe_load(yaml.serialize(node)) if node is not None else None


def yaml_lines(node: yaml.Node | None) -> dict[YamlPath, int]:
    """Map every path in a YAML document to its 1-based line.

    A path is a tuple of keys and list indexes (``("items", 3, "column")``); a key maps to
    the line of the key, a list item to the line it starts on, ``()`` to the document.
    """
    import yaml

    lines: dict[YamlPath, int] = {}

    def walk(node: yaml.Node, path: YamlPath) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                walk(value_node, (*path, key_node.value))
                lines[(*path, key_node.value)] = node_line(key_node)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))
        lines.setdefault(path, node_line(node))

    if node is not None:
        walk(node, ())
    return lines


def _dotted(path: YamlPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_yaml_with_lines(
    path: str | PathLike[str], *, what: str = "file", error: type[InputError] = InputError
) -> tuple[Any, dict[str, int]]:
    """Parse a YAML file and map every key path to its line.

    Parameters
    ----------
    path
        A UTF-8 YAML file.
    what
        What the file is, for messages ("study file", "codebook", ...).
    error
        The error class to raise.

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
    text = read_yaml_text(path, what=what, error=error)
    data, node = parse_yaml(text, file=path, what=what, error=error)
    lines = {_dotted(p): line for p, line in yaml_lines(node).items() if p}
    return data, lines
