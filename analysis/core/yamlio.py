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
from analysis.core.yamltypos import typo_problems, unclosed_problem

if TYPE_CHECKING:
    import yaml

__all__ = [
    "MAX_EXPANDED_NODES",
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
        raise error(f"{path}: {what} not found{_where(path)}", file=path) from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, expected a {what}", file=path) from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{path.name}: the {what} is not UTF-8 (byte {exc.start}); save it as UTF-8",
            file=path,
        ) from None


def _where(path: Path) -> str:
    """The current folder, for a relative path not found, and a close name beside it."""
    from analysis.core.errors import did_you_mean

    folder = path.parent if path.parent.is_dir() else None
    hint = did_you_mean(path.name, [p.name for p in folder.iterdir()]) if folder else ""
    if path.is_absolute():
        return hint
    return f"{hint} (looked in {Path.cwd() / path.parent}, relative to the current folder)"


#: A document that would expand to more nodes than this through aliases is refused: a
#: codebook or study file never needs it, and a "billion laughs" file would take minutes.
MAX_EXPANDED_NODES = 100_000


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
        Of class ``error``, naming the line where there is one: the text is not valid
        YAML, or has full-width punctuation (``：``, ``，``, ``｛｝``), a tab in the
        indentation or an unclosed ``{``/``[`` (named on its own line,
        :mod:`analysis.core.yamltypos`); it asks for a Python object (``!!python/...``
        tags are refused); a mapping
        repeats a key (YAML would silently keep the last); aliases would expand it beyond
        :data:`MAX_EXPANDED_NODES` nodes; or it is nested too deeply to read.
    """
    import yaml

    name = Path(file).name if file is not None else what

    def refuse(line: int | None, problem: str) -> InputError:
        where = f", line {line}" if line is not None else ""
        return error(f"{name}{where}: {problem}", file=file, row=line)

    def slips(found: list[tuple[int, str]]) -> InputError:
        lines = [f"{name}, {message}" for _, message in found]
        return error("\n".join(lines), file=file, row=found[0][0])

    found = typo_problems(text)
    if found:  # even where YAML would parse them: they would silently change the data
        raise slips(found)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        _check_nodes(node, refuse, what)
        return yaml.safe_load(text), node
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        context = getattr(exc, "context_mark", None)
        if context is not None:
            opened = context.line + 1
            rows = text.splitlines()
            opener = rows[opened - 1] if opened <= len(rows) else ""
            unclosed = unclosed_problem(getattr(exc, "context", None), opened, opener)
            if unclosed is not None:
                raise slips([(opened, unclosed)]) from None
        if line is not None:
            near = [(n, m) for n, m in typo_problems(text, near=line) if line - 2 <= n <= line]
            if near:
                raise slips(near) from None
        raise refuse(line, f"not valid YAML in the {what}: {problem}") from None
    except RecursionError:
        raise refuse(None, f"the {what} is nested too deeply to read") from None


def _check_nodes(node: yaml.Node | None, refuse: Any, what: str) -> None:
    """Refuse repeated keys and alias bombs, visiting every node once."""
    import yaml

    expanded: dict[int, int] = {}  # node id -> nodes it stands for, aliases expanded
    open_ids: set[int] = set()  # nodes whose children are being visited
    stack: list[tuple[yaml.Node, bool]] = [(node, False)] if node is not None else []
    while stack:  # iterative post-order: deep documents do not exhaust Python's stack
        current, children_done = stack.pop()
        if id(current) in expanded:
            continue
        if isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        elif isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        else:
            children = []
        if not children_done:
            if id(current) in open_ids:
                raise refuse(node_line(current), f"the {what} refers to itself through an alias")
            if isinstance(current, yaml.MappingNode):
                seen: set[Any] = set()
                for key, _ in current.value:
                    if isinstance(key, yaml.ScalarNode) and key.value in seen:
                        raise refuse(
                            node_line(key),
                            f"the key {key.value!r} appears twice in one mapping of the "
                            f"{what}; keep one",
                        )
                    seen.add(key.value)
            open_ids.add(id(current))
            stack.append((current, True))
            for child in children:
                if id(child) in open_ids:
                    raise refuse(node_line(child), f"the {what} refers to itself through an alias")
                if id(child) not in expanded:
                    stack.append((child, False))
            continue
        open_ids.discard(id(current))
        size = 1 + sum(expanded.get(id(c), 1) for c in children)
        if size > MAX_EXPANDED_NODES:
            raise refuse(
                node_line(current),
                f"the {what} expands to more than {MAX_EXPANDED_NODES:,} values through "
                "repeated aliases (*name); write the values out",
            )
        expanded[id(current)] = size


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
