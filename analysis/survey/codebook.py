"""Codebooks: which survey column is which item, on which scale, in which dimension.

A codebook is a small YAML file (DESIGN.md section 5) that turns a raw survey export into
numbers::

    framework: service-five          # or `dimensions: [{id, label_zh, label_en}, ...]`
    id_column: 序号
    group_column: "1、您所居住的社区："
    scale: {min: 1, max: 5, labels: {非常不满意: 1, 不满意: 2, 一般: 3, 满意: 4, 非常满意: 5}}
    scales:                          # named extra ladders; an item picks one with `scale:`
      agree: {min: 1, max: 5, labels: {非常不同意: 1, 不同意: 2, 一般: 3, 同意: 4, 非常同意: 5}}
    missing: {skipped: ["(跳过)"], no_answer: ["(空)"]}
    min_answered: 0.5
    covariates: [{column: "2、您的性别：", id: gender}]
    duration_column: 所用时间
    weight_column: null
    text_columns: [{column: "23、您对社区党组织的工作还有哪些意见和建议？", id: suggestions}]
    items:
      - {column: "7、您对社区“一站式”服务的满意程度", id: q7, dimension: reform}
      - {column: "12、在社区办事经常需要反复跑腿", id: q12, dimension: reform, reverse: true,
         scale: agree}

:func:`load_codebook` checks everything it can without data and raises one
:class:`~analysis.core.errors.CodebookError` listing every problem with its YAML line;
:func:`validate_codebook` checks a codebook against a survey export (unknown columns,
answers the labels do not cover). :func:`draft_codebook` writes a first draft from an
export for a researcher to review.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from analysis.core.dimensions import Framework, load_framework
from analysis.core.errors import CodebookError, ConfigError
from analysis.io.platforms import normalize_header

__all__ = [
    "LADDERS",
    "Codebook",
    "Column",
    "Item",
    "Scale",
    "draft_codebook",
    "load_codebook",
    "load_codebook_partial",
    "validate_codebook",
]

DEFAULT_SCALE = "default"
MISSING_KINDS = ("skipped", "no_answer")
_SKIP_WORDS = {"(跳过)", "跳过", "（跳过）"}
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Scale:
    """A Likert ladder: option texts and the numbers they stand for.

    Parameters
    ----------
    name
        Name used by items (``"default"`` for the codebook's ``scale:``).
    min, max
        Ends of the ladder; a reversed answer is ``min + max - x``.
    labels
        Option text -> number.
    """

    name: str
    min: float
    max: float
    labels: Mapping[str, float] = field(default_factory=dict)

    def reverse(self, value: float) -> float:
        """Reverse one value on this ladder (``min + max - value``)."""
        return self.min + self.max - value

    @property
    def values(self) -> tuple[float, ...]:
        """The numbers answers may take, sorted: the labels' numbers, or without labels
        every whole number from ``min`` to ``max``."""
        if not self.labels:
            return tuple(float(v) for v in range(math.ceil(self.min), math.floor(self.max) + 1))
        return tuple(sorted(set(self.labels.values())))


@dataclass(frozen=True)
class Item:
    """One scored survey item.

    Parameters
    ----------
    column
        Header of the column in the export.
    id
        Short ASCII id used as column name in :class:`~analysis.survey.reading.SurveyData`.
    dimension
        Dimension id of the framework.
    reverse
        Reverse-worded: scored ``min + max - x``.
    scale
        Name of the scale (``"default"`` or a key of ``scales:``).
    line
        Line of the item in the YAML file (None when built from a mapping).
    """

    column: str
    id: str
    dimension: str
    reverse: bool = False
    scale: str = DEFAULT_SCALE
    line: int | None = None


@dataclass(frozen=True)
class Column:
    """A non-item column kept in the responses: a covariate or a free-text answer."""

    column: str
    id: str
    line: int | None = None


@dataclass(frozen=True)
class Codebook:
    """A validated codebook. Build it with :func:`load_codebook`.

    Attributes
    ----------
    framework
        The :class:`~analysis.core.dimensions.Framework` items are scored on.
    id_column, group_column
        Respondent id and group (community) columns of the export; either may be None.
    scales
        Scale name -> :class:`Scale`; ``"default"`` is the codebook's ``scale:``.
    items
        The scored items, in codebook order.
    missing
        Missing kind (``"skipped"``, ``"no_answer"``) -> the raw values that mean it.
    min_answered
        Share of a dimension's items a respondent must answer to get a score.
    covariates, text_columns
        Other columns kept in the responses under their ids.
    duration_column, weight_column
        Time spent answering (read as seconds) and a survey weight, when present.
    path
        The YAML file the codebook came from.
    """

    framework: Framework
    id_column: str | None
    group_column: str | None
    scales: Mapping[str, Scale]
    items: tuple[Item, ...]
    missing: Mapping[str, tuple[str, ...]]
    min_answered: float = 0.5
    covariates: tuple[Column, ...] = ()
    duration_column: str | None = None
    weight_column: str | None = None
    text_columns: tuple[Column, ...] = ()
    path: str | None = None

    def items_for(self, dimension: str) -> tuple[Item, ...]:
        """Items of ``dimension``, in codebook order."""
        return tuple(it for it in self.items if it.dimension == dimension)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Ids of the dimensions that have items, in framework order."""
        used = {it.dimension for it in self.items}
        return tuple(d for d in self.framework.ids if d in used)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in codebook order."""
        return tuple(it.id for it in self.items)

    def scale_of(self, item: Item) -> Scale:
        """The :class:`Scale` of ``item``."""
        return self.scales[item.scale]

    def missing_kind(self, value: str) -> str | None:
        """``"skipped"``, ``"no_answer"`` or None for one raw answer (compared as text)."""
        for kind, values in self.missing.items():
            if value in values:
                return kind
        return None


# --------------------------------------------------------------------------- loading


def _yaml_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Map paths in the YAML document (keys and list indexes) to 1-based line numbers."""
    import yaml

    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                k = key.value
                lines[(*path, k)] = key.start_mark.line + 1
                walk(value, (*path, k))
                lines[(*path, k)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, (*path, i))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


class _Problems:
    """Collects codebook problems with their line numbers."""

    def __init__(self, file: str | None, lines: Mapping[tuple[Any, ...], int]) -> None:
        self.file = file
        self.lines = lines
        self.rows: list[dict[str, Any]] = []

    def add(self, path: tuple[Any, ...], problem: str, *, value: Any = None) -> None:
        line = None
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                break
        self.rows.append(
            {
                "file": self.file,
                "line": line,
                "row": None,
                "column": None,
                "value": value,
                "problem": problem,
            }
        )

    def raise_if_any(self) -> None:
        if self.rows:
            raise CodebookError.from_problems(self.rows, file=self.file, what="codebook problems")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _parse_scale(name: str, spec: Any, path: tuple[Any, ...], probs: _Problems) -> Scale | None:
    if not isinstance(spec, Mapping):
        probs.add(path, f"scale {name!r} must be a mapping with min, max and labels", value=spec)
        return None
    labels_raw = spec.get("labels", {}) or {}
    if not isinstance(labels_raw, Mapping):
        probs.add((*path, "labels"), "labels must map option text to a number", value=labels_raw)
        labels_raw = {}
    labels: dict[str, float] = {}
    for text, num in labels_raw.items():
        v = _number(num)
        if v is None:
            probs.add((*path, "labels", text), f"label {text!r} needs a number", value=num)
            continue
        labels[str(text).strip()] = v
    lo = _number(spec.get("min")) if "min" in spec else (min(labels.values()) if labels else None)
    hi = _number(spec.get("max")) if "max" in spec else (max(labels.values()) if labels else None)
    if lo is None or hi is None:
        probs.add(path, f"scale {name!r} needs numeric min and max (or labels)", value=None)
        return None
    if lo >= hi:
        probs.add(path, f"scale {name!r}: min must be below max", value=f"{lo}..{hi}")
    for text, v in labels.items():
        if not lo <= v <= hi:
            probs.add((*path, "labels", text), f"label {text!r} is outside {lo:g}..{hi:g}", value=v)
    return Scale(name=name, min=lo, max=hi, labels=labels)


def _parse_missing(spec: Any, probs: _Problems) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {"skipped": [], "no_answer": []}
    if spec is None:
        return {k: tuple(v) for k, v in out.items()}
    if isinstance(spec, Mapping):
        for kind, values in spec.items():
            if kind not in MISSING_KINDS:
                probs.add(
                    ("missing", kind), "missing kinds are 'skipped' and 'no_answer'", value=kind
                )
                continue
            vals = values if isinstance(values, list) else [values]
            out[kind].extend(_text(v) for v in vals)
    elif isinstance(spec, list):
        for v in spec:
            t = _text(v)
            out["skipped" if t in _SKIP_WORDS else "no_answer"].append(t)
    else:
        probs.add(
            ("missing",), "missing must be a list or {skipped: [...], no_answer: [...]}", value=spec
        )
    return {k: tuple(v) for k, v in out.items()}


def _text(value: Any) -> str:
    """Raw answers are compared as text: 99 and 99.0 both read as '99'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_columns(spec: Any, key: str, probs: _Problems) -> tuple[Column, ...]:
    if spec is None:
        return ()
    if not isinstance(spec, list):
        probs.add((key,), f"{key} must be a list of {{column, id}}", value=spec)
        return ()
    out = []
    for i, entry in enumerate(spec):
        if isinstance(entry, str):
            entry = {"column": entry, "id": None}
        if not isinstance(entry, Mapping) or not entry.get("column"):
            probs.add((key, i), f"{key} entry needs a 'column'", value=entry)
            continue
        cid = entry.get("id") or f"{key.rstrip('s')}_{i + 1}"
        if not _ID.match(str(cid)):
            probs.add(
                (key, i, "id"), "ids must be ASCII letters, digits and underscores", value=cid
            )
        out.append(Column(str(entry["column"]), str(cid), probs.lines.get((key, i))))
    return tuple(out)


def _parse_framework(data: Mapping[str, Any], probs: _Problems) -> Framework | None:
    try:
        if "dimensions" in data:
            return load_framework(data["dimensions"], name=str(data.get("framework", "custom")))
        return load_framework(data.get("framework", "service-five"))
    except ConfigError as exc:
        probs.add(("dimensions",) if "dimensions" in data else ("framework",), str(exc))
        return None


_ITEM_KEYS = {"column", "id", "dimension", "reverse", "scale", "label"}


def _parse_items(
    spec: Any, framework: Framework | None, scales: Mapping[str, Scale], probs: _Problems
) -> tuple[Item, ...]:
    if not isinstance(spec, list) or not spec:
        probs.add(
            ("items",),
            "items must be a non-empty list of {column, id, dimension}",
            value=None if spec is None else spec,
        )
        return ()
    items: list[Item] = []
    by_column: dict[str, tuple[int, str]] = {}
    by_id: dict[str, int] = {}
    for i, entry in enumerate(spec):
        path = ("items", i)
        if not isinstance(entry, Mapping):
            probs.add(path, "an item must be a mapping {column, id, dimension}", value=entry)
            continue
        for key in entry:
            if key not in _ITEM_KEYS:
                probs.add(
                    (*path, key),
                    f"unknown item key {key!r}; expected one of " + ", ".join(sorted(_ITEM_KEYS)),
                    value=key,
                )
        column = entry.get("column")
        iid = entry.get("id")
        dim = entry.get("dimension")
        if not column:
            probs.add(path, "item needs a 'column'")
            continue
        column = str(column)
        if iid is None or not _ID.match(str(iid)):
            probs.add(
                (*path, "id"), "item id must be ASCII letters, digits and underscores", value=iid
            )
            iid = f"item_{i + 1}"
        iid = str(iid)
        if framework is not None and dim not in framework:
            probs.add(
                (*path, "dimension"),
                f"unknown dimension; expected one of {', '.join(framework.ids)}",
                value=dim,
            )
        scale = str(entry.get("scale", DEFAULT_SCALE))
        if scale not in scales:
            known = ", ".join(scales) or "none declared"
            probs.add((*path, "scale"), f"unknown scale; expected one of {known}", value=scale)
        reverse = entry.get("reverse", False)
        if not isinstance(reverse, bool):
            probs.add((*path, "reverse"), "reverse must be true or false", value=reverse)
            reverse = False
        norm = normalize_header(column)
        if norm in by_column:
            first, first_dim = by_column[norm]
            what = (
                f"item in two dimensions ({first_dim} and {dim})"
                if first_dim != dim
                else "column listed twice"
            )
            probs.add(path, f"{what}; first listed at line {first}", value=column)
        else:
            by_column[norm] = (probs.lines.get(path, 0), str(dim))
        if iid in by_id:
            probs.add(
                (*path, "id"), f"duplicate item id; first used at line {by_id[iid]}", value=iid
            )
        else:
            by_id[iid] = probs.lines.get(path, 0)
        items.append(Item(column, iid, str(dim), reverse, scale, probs.lines.get(path)))
    return tuple(items)


_TOP_KEYS = (
    "framework",
    "dimensions",
    "id_column",
    "group_column",
    "scale",
    "scales",
    "missing",
    "min_answered",
    "covariates",
    "duration_column",
    "weight_column",
    "text_columns",
    "items",
    "title",
    "description",
    "version",
    "notes",
)


def _check_keys(data: Mapping[str, Any], probs: _Problems) -> None:
    """A misspelt key would silently drop a part of the codebook: report it."""
    import difflib

    for key in data:
        if key not in _TOP_KEYS:
            close = difflib.get_close_matches(str(key), _TOP_KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            probs.add((key,), f"unknown codebook key{hint}", value=key)


_RESERVED = {"respondent_id", "group", "row", "duration_s", "weight", "ip"}


def _check_ids(
    items: Sequence[Item],
    covariates: Sequence[Column],
    text_columns: Sequence[Column],
    probs: _Problems,
) -> None:
    """Every id names one column of the responses: none reserved, none used twice."""
    entries = [(("items", i, "id"), it.id) for i, it in enumerate(items)]
    entries += [(("covariates", i, "id"), c.id) for i, c in enumerate(covariates)]
    entries += [(("text_columns", i, "id"), c.id) for i, c in enumerate(text_columns)]
    first: dict[str, tuple[Any, ...]] = {}
    for path, cid in entries:
        if cid in _RESERVED:
            probs.add(path, f"id {cid!r} is reserved for a standard column", value=cid)
        elif cid in first and path[0] != "items":  # item-item repeats are reported above
            where = probs.lines.get(first[cid][:2])
            probs.add(path, "id already used" + (f" at line {where}" if where else ""), value=cid)
        first.setdefault(cid, path)


def load_codebook(
    source: str | PathLike[str] | Mapping[str, Any] | Codebook,
) -> Codebook:
    """Read and validate a codebook.

    Parameters
    ----------
    source
        Path of a YAML file, a mapping with the same keys, or a :class:`Codebook`
        (returned as is).

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        The file is missing or not YAML (with the line of the syntax error), or it has
        problems: unknown dimension, unknown scale, an item in two dimensions, duplicate
        ids, labels without numbers... All problems are collected and raised once, each
        with its line; the error's ``.problems`` frame lists them.

    Examples
    --------
    >>> cb = load_codebook({
    ...     "scale": {"min": 1, "max": 5, "labels": {"不满意": 1, "满意": 5}},
    ...     "items": [{"column": "Q1", "id": "q1", "dimension": "reform"}],
    ... })
    >>> cb.dimensions
    ('reform',)
    """
    codebook, problems = load_codebook_partial(source)
    if problems:
        raise CodebookError.from_problems(problems, file=codebook.path, what="codebook problems")
    return codebook


def load_codebook_partial(
    source: str | PathLike[str] | Mapping[str, Any] | Codebook,
) -> tuple[Codebook, list[dict[str, Any]]]:
    """Read a codebook as far as it goes: the codebook and the problems found.

    The codebook keeps every part that parsed (a broken framework falls back to
    SERVICE_FIVE), so callers can go on to check it against data and report every
    problem at once. Unreadable files (missing, not YAML, not a mapping) still raise
    :class:`CodebookError` at once.
    """
    if isinstance(source, Codebook):
        return source, []
    import yaml

    from analysis.core.dimensions import SERVICE_FIVE

    file: str | None = None
    if isinstance(source, Mapping):
        data: Any = dict(source)
        lines: dict[tuple[Any, ...], int] = {}
    else:
        path = Path(source)
        file = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CodebookError(f"{path}: codebook not found", file=path) from None
        except UnicodeDecodeError as exc:
            raise CodebookError(
                f"{path.name}: codebook is not UTF-8 (byte {exc.start}); save it as UTF-8",
                file=path,
            ) from None
        try:
            data = yaml.safe_load(text)
            lines = _yaml_lines(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark is not None else ""
            msg = getattr(exc, "problem", None) or str(exc)
            raise CodebookError(f"{path.name}{where}: not valid YAML: {msg}", file=path) from None
    if not isinstance(data, Mapping):
        raise CodebookError(
            f"{Path(file).name if file else 'codebook'}: expected a mapping with 'items', "
            f"got {type(data).__name__}",
            file=file,
        )
    probs = _Problems(file, lines)
    _check_keys(data, probs)
    framework = _parse_framework(data, probs)
    scales: dict[str, Scale] = {}
    if "scale" in data:
        sc = _parse_scale(DEFAULT_SCALE, data["scale"], ("scale",), probs)
        if sc is not None:
            scales[DEFAULT_SCALE] = sc
    extra = data.get("scales") or {}
    if not isinstance(extra, Mapping):
        probs.add(("scales",), "scales must map a name to {min, max, labels}", value=extra)
        extra = {}
    for name, spec in extra.items():
        sc = _parse_scale(str(name), spec, ("scales", name), probs)
        if sc is not None:
            scales[str(name)] = sc
    items = _parse_items(data.get("items"), framework, scales, probs)
    min_answered = data.get("min_answered", 0.5)
    if _number(min_answered) is None or not 0 <= float(min_answered) <= 1:
        probs.add(
            ("min_answered",), "min_answered must be a share between 0 and 1", value=min_answered
        )
        min_answered = 0.5
    missing = _parse_missing(data.get("missing"), probs)
    covariates = _parse_columns(data.get("covariates"), "covariates", probs)
    text_columns = _parse_columns(data.get("text_columns"), "text_columns", probs)
    _check_ids(items, covariates, text_columns, probs)
    codebook = Codebook(
        framework=framework or SERVICE_FIVE,
        id_column=_opt_str(data.get("id_column")),
        group_column=_opt_str(data.get("group_column")),
        scales=scales,
        items=items,
        missing=missing,
        min_answered=float(min_answered),
        covariates=covariates,
        duration_column=_opt_str(data.get("duration_column")),
        weight_column=_opt_str(data.get("weight_column")),
        text_columns=text_columns,
        path=file,
    )
    return codebook, probs.rows


def _opt_str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


# --------------------------------------------------------------------------- validation


def validate_codebook(
    codebook: Codebook | str | PathLike[str] | Mapping[str, Any],
    export: str | PathLike[str] | Sequence[str | PathLike[str]],
    *,
    sheet: str | int = 0,
) -> None:
    """Check a codebook against a survey export and raise once with every problem.

    Parameters
    ----------
    codebook
        A :class:`Codebook` or anything :func:`load_codebook` accepts.
    export
        The survey export the codebook describes.
    sheet
        Sheet of an Excel export.

    Raises
    ------
    CodebookError
        Columns named in the codebook that the export does not have, and answers found in
        the export that neither the item's scale labels nor ``missing`` cover (one problem
        per column and value, with the first row where it occurs and how often). Each
        problem gives the codebook line of the item.

    Notes
    -----
    :func:`~analysis.survey.reading.read_survey` is more lenient: it raises for unknown
    columns, but an answer off the scale only sends its row to the quarantine. Run this
    function when writing a codebook, to fix labels before the data are read.
    """
    from analysis.io.tabular import read_raw_table
    from analysis.survey.reading import _recode_item

    cb, rows = load_codebook_partial(codebook)
    table = read_raw_table(export, sheet=sheet)
    probs = _Problems(cb.path, {})
    probs.rows.extend(rows)
    headers = {**table.aliases, **{normalize_header(c): c for c in table.frame.columns}}
    for col, what in _named_columns(cb):
        if normalize_header(col) not in headers:
            probs.rows.append(
                {
                    "file": cb.path,
                    "line": what[1],
                    "row": None,
                    "column": col,
                    "value": None,
                    "problem": f"{what[0]} column not found in {table.name}",
                }
            )
    for it in cb.items:
        raw = headers.get(normalize_header(it.column))
        if raw is None or it.scale not in cb.scales:
            continue
        values = table.frame[raw]
        bad = values[_recode_item(values, it, cb)[2]]
        for value, count in bad.value_counts(sort=False).items():
            first = int(bad.index[bad == value][0]) + table.header_rows + 1
            probs.rows.append(
                {
                    "file": cb.path,
                    "line": it.line,
                    "row": None,
                    "export_row": first,
                    "column": it.column,
                    "value": value,
                    "problem": f"answer not covered by scale {it.scale!r} or missing "
                    f"({count} rows in {table.name}, first at row {first})",
                }
            )
    probs.raise_if_any()


def _named_columns(cb: Codebook) -> list[tuple[str, tuple[str, int | None]]]:
    out: list[tuple[str, tuple[str, int | None]]] = []
    for name in ("id_column", "group_column", "duration_column", "weight_column"):
        col = getattr(cb, name)
        if col is not None:
            out.append((col, (name.replace("_column", ""), None)))
    out += [(it.column, ("item", it.line)) for it in cb.items]
    out += [(c.column, ("covariate", c.line)) for c in cb.covariates]
    out += [(c.column, ("text", c.line)) for c in cb.text_columns]
    return out


# --------------------------------------------------------------------------- drafting

#: Likert ladders recognised by :func:`draft_codebook`: name -> labels, low to high.
LADDERS: dict[str, tuple[str, ...]] = {
    "satisfaction": ("非常不满意", "不满意", "一般", "满意", "非常满意"),
    "satisfaction_alt": ("很不满意", "不太满意", "一般", "比较满意", "很满意"),
    "agree": ("非常不同意", "不同意", "一般", "同意", "非常同意"),
    "agree_alt": ("完全不同意", "不太同意", "说不清", "比较同意", "完全同意"),
    "fit": ("完全不符合", "比较不符合", "一般", "比较符合", "完全符合"),
    "fit_alt": ("非常不符合", "不符合", "一般", "符合", "非常符合"),
    "frequency": ("从不", "很少", "有时", "经常", "总是"),
    "importance": ("非常不重要", "不重要", "一般", "重要", "非常重要"),
}

#: Words that often mark a negatively worded item (agreement means dissatisfaction).
_REVERSE_CUES = (
    "不",
    "没有",
    "没",
    "难",
    "反复",
    "麻烦",
    "拖",
    "推诿",
    "形式主义",
    "敷衍",
    "很少",
    "缺乏",
    "差",
    "慢",
)
_METADATA = {
    "序号",
    "提交答卷时间",
    "所用时间",
    "来源",
    "来源详情",
    "来自IP",
    "来自ip",
    "编号",
    "开始答题时间",
    "结束答题时间",
    "答题时长",
    "IP",
    "总分",
}


def _ladder_label(answer: str, labels: Sequence[str]) -> str | None:
    """The label an answer stands for, trying the longest label first.

    ``"非常同意（5分）"`` is 非常同意, never 同意: longer labels are tried before the
    shorter labels they contain.
    """
    for lab in sorted(labels, key=len, reverse=True):
        if answer == lab or lab in answer:
            return lab
    return None


def _is_missing_like(answer: str) -> bool:
    return answer == "" or (answer.startswith(("(", "（")) and answer.endswith((")", "）")))


def _match_ladder(values: Sequence[str]) -> str | None:
    """Name of the ladder whose labels cover at least 80% of the distinct answers."""
    answers = {v for v in values if not _is_missing_like(v)}
    if not answers:
        return None
    best: tuple[int, int, str] | None = None
    for name, labels in LADDERS.items():
        hits = {_ladder_label(a, labels) for a in answers} - {None}
        covered = sum(1 for a in answers if _ladder_label(a, labels) is not None)
        if len(hits) >= 2 and covered >= 0.8 * len(answers):
            score = (covered, len(hits), name)
            if best is None or score[:2] > best[:2]:
                best = score
    return None if best is None else best[2]


def _numeric_ladder(values: Sequence[str]) -> int | None:
    """Top of a numbered ladder (按序号 exports: answers 1..k, k <= 11), or None."""
    answers = {v for v in values if not _is_missing_like(v) and v not in {"-2", "-3"}}
    if len(answers) < 3 or not all(re.fullmatch(r"\d+", v) for v in answers):
        return None
    nums = sorted(int(v) for v in answers)
    if nums[0] < 0 or nums[-1] > 11 or nums[0] > 1:
        return None
    return nums[-1]


def _ladder_yaml(name: str) -> str:
    if name.startswith("points"):
        return f"{{min: 1, max: {name[6:]}}}   # option numbers; add labels to check them"
    labels = ", ".join(f"{lab}: {i}" for i, lab in enumerate(LADDERS[name], start=1))
    return f"{{min: 1, max: 5, labels: {{{labels}}}}}"


def parse_header_parts(header: str) -> str | None:
    """The matrix row label of a header (after ``—``), or None."""
    return header.split("—", 1)[1].strip("—").strip() or None if "—" in header else None


def _yaml_str(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def draft_codebook(export_path: str | PathLike[str], *, sheet: str | int = 0) -> str:
    """Draft a codebook from a survey export, for a researcher to review.

    Parameters
    ----------
    export_path
        A 问卷星 / 腾讯问卷 export or any table :func:`~analysis.survey.reading.read_survey`
        reads.
    sheet
        Sheet of an Excel export.

    Returns
    -------
    str
        YAML text: the metadata columns found (id, duration), every question as a comment,
        the Likert ladders detected among the answers (满意度, 同意度, 符合度, 频率, 重要性;
        the longest label is matched first, so 非常同意 is never taken for 同意), one item
        per Likert column with ``dimension: TODO``, and reverse-worded candidates flagged
        with ``reverse: true  # REVIEW``.

    Notes
    -----
    The draft is a starting point: dimensions are not guessed. It loads with
    :func:`load_codebook` only after every ``TODO`` dimension has been filled in.
    """
    from analysis.io.tabular import read_raw_table

    table = read_raw_table(export_path, sheet=sheet)
    frame = table.frame
    meta = [c for c in frame.columns if normalize_header(c) in _METADATA]
    id_col = next((c for c in meta if normalize_header(c) in {"序号", "编号"}), None)
    dur_col = next((c for c in meta if normalize_header(c) in {"所用时间", "答题时长"}), None)
    used: dict[str, str] = {}
    item_lines: list[str] = []
    covariates: list[str] = []
    texts: list[str] = []
    group_col: str | None = None
    ids: set[str] = set()
    for col in frame.columns:
        if col in meta:
            continue
        values = frame[col].astype(str).str.strip()
        distinct = values[~values.map(_is_missing_like)].unique().tolist()
        ladder = _match_ladder(distinct)
        if ladder is None and group_col is None and "社区" in col and 1 <= len(distinct) <= 200:
            group_col = col
            continue
        if ladder is None:
            points = _numeric_ladder(distinct)
            ladder = None if points is None else f"points{points}"
        if ladder is None:
            if len(distinct) <= 20:
                covariates.append(col)
            else:
                texts.append(col)
            continue
        used.setdefault(ladder, _ladder_yaml(ladder))
        m = re.match(r"^\s*(\d+)", col)
        iid = f"q{m.group(1)}" if m else f"item{len(ids) + 1}"
        row = parse_header_parts(col)
        if row:
            iid = f"{iid}_{len([i for i in ids if i.startswith(iid)]) + 1}"
        while iid in ids:
            iid += "_b"
        ids.add(iid)
        scale = "" if ladder == next(iter(used)) else f", scale: {ladder}"
        cue = next((w for w in _REVERSE_CUES if w in col.split("—")[-1]), None)
        rev = ", reverse: true" if cue and not ladder.startswith("satisfaction") else ""
        note = f"  # REVIEW: reverse-worded? (contains {cue!r})" if rev else ""
        item_lines.append(
            f"  - {{column: {_yaml_str(col)}, id: {iid}, dimension: TODO{rev}{scale}}}{note}"
        )
    out = [
        f"# Draft codebook for {Path(export_path).name} (platform: {table.platform}).",
        "# Review every line: set each item's dimension (reform, development, livelihood,",
        "# masses, members), check the reverse-worded candidates marked REVIEW, and the scales.",
        "framework: service-five",
        f"id_column: {_yaml_str(id_col) if id_col else 'null'}",
        f"group_column: {_yaml_str(group_col) + '   # REVIEW' if group_col else 'null   # TODO'}",
    ]
    if used:
        first = next(iter(used))
        out.append(f"scale: {used[first]}   # {first}")
        if len(used) > 1:
            out.append("scales:")
            out += [f"  {name}: {spec}" for name, spec in list(used.items())[1:]]
    else:
        out.append("scale: {min: 1, max: 5, labels: {}}   # TODO: no Likert ladder detected")
    out += [
        'missing: {skipped: ["(跳过)"], no_answer: ["(空)"]}',
        "min_answered: 0.5",
        f"duration_column: {_yaml_str(dur_col) if dur_col else 'null'}",
        "weight_column: null",
    ]
    out.append("covariates:" + ("" if covariates else " []"))
    out += [
        f"  - {{column: {_yaml_str(c)}, id: cov{i}}}   # TODO: short id"
        for i, c in enumerate(covariates, 1)
    ]
    out.append("text_columns:" + ("" if texts else " []"))
    out += [
        f"  - {{column: {_yaml_str(c)}, id: text{i}}}   # TODO: short id"
        for i, c in enumerate(texts, 1)
    ]
    out.append("items:" + ("" if item_lines else " []   # TODO: no Likert columns detected"))
    out += item_lines
    return "\n".join(out) + "\n"
