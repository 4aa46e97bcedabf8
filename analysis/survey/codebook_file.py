"""Read a codebook's YAML (or a mapping with the same keys) into a checked codebook.

The result is a :class:`~analysis.survey.codebook.Codebook`. Every problem that can be
found without data (unknown keys, dimensions and scales, an item in two dimensions,
duplicate or reserved ids, labels without numbers) is collected with its YAML line and
raised once as a :class:`~analysis.core.errors.CodebookError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from analysis.core.dimensions import Framework, load_framework
from analysis.core.errors import CodebookError, ConfigError, Problems, did_you_mean
from analysis.core.yamlio import parse_yaml, read_yaml_text, yaml_lines
from analysis.io.platforms import normalize_header
from analysis.survey.codebook import DEFAULT_SCALE, MISSING_KINDS, Codebook, Column, Item, Scale

__all__ = ["load_codebook", "load_codebook_partial"]

_SKIP_WORDS = {"(跳过)", "跳过", "（跳过）"}
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# --------------------------------------------------------------------------- loading


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _parse_scale(name: str, spec: Any, path: tuple[Any, ...], probs: Problems) -> Scale | None:
    if not isinstance(spec, Mapping):
        probs.add_at(path, f"scale {name!r} must be a mapping with min, max and labels", value=spec)
        return None
    labels_raw = spec.get("labels", {}) or {}
    if not isinstance(labels_raw, Mapping):
        probs.add_at((*path, "labels"), "labels must map option text to a number", value=labels_raw)
        labels_raw = {}
    labels: dict[str, float] = {}
    for text, num in labels_raw.items():
        if isinstance(text, bool) or text is None:
            # YAML 1.1 reads yes/no/on/off/true/false (any case) and ~ as booleans or null
            probs.add_at(
                (*path, "labels"),
                f"a label was read by YAML as {'null' if text is None else str(text).lower()}, "
                "not as text; put the "
                "option text in quotes, e.g. 'Yes': 5",
                value=text,
            )
            continue
        v = _number(num)
        if v is None:
            probs.add_at((*path, "labels", text), f"label {text!r} needs a number", value=num)
            continue
        labels[str(text).strip()] = v
    lo = _number(spec.get("min")) if "min" in spec else (min(labels.values()) if labels else None)
    hi = _number(spec.get("max")) if "max" in spec else (max(labels.values()) if labels else None)
    if lo is None or hi is None:
        probs.add_at(path, f"scale {name!r} needs numeric min and max (or labels)", value=None)
        return None
    if lo >= hi:
        probs.add_at(path, f"scale {name!r}: min must be below max", value=f"{lo}..{hi}")
    for text, v in labels.items():
        if not lo <= v <= hi:
            probs.add_at(
                (*path, "labels", text), f"label {text!r} is outside {lo:g}..{hi:g}", value=v
            )
    satisfied = _parse_satisfied(
        spec.get("satisfied"), labels, (lo, hi), (*path, "satisfied"), probs
    )
    return Scale(name=name, min=lo, max=hi, labels=labels, satisfied=satisfied)


def _parse_satisfied(
    spec: Any,
    labels: Mapping[str, float],
    bounds: tuple[float, float],
    path: tuple[Any, ...],
    probs: Problems,
) -> tuple[float, ...]:
    """``satisfied: [满意, 非常满意]`` (labels) or ``[4, 5]`` (numbers) -> sorted numbers."""
    if spec is None:
        return ()
    if not isinstance(spec, list) or not spec:
        probs.add_at(path, "satisfied must be a list of labels or numbers", value=spec)
        return ()
    out = set()
    for entry in spec:
        if isinstance(entry, str) and entry.strip() in labels:
            out.add(float(labels[entry.strip()]))
        elif (v := _number(entry)) is not None and bounds[0] <= v <= bounds[1]:
            out.add(v)
        else:
            known = ", ".join(labels) or f"numbers {bounds[0]:g}..{bounds[1]:g}"
            probs.add_at(path, f"satisfied: {entry!r} is not one of {known}", value=entry)
    return tuple(sorted(out))


def _parse_missing(spec: Any, probs: Problems) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {"skipped": [], "no_answer": []}
    if spec is None:
        return {k: tuple(v) for k, v in out.items()}
    if isinstance(spec, Mapping):
        for kind, values in spec.items():
            if kind not in MISSING_KINDS:
                probs.add_at(
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
        probs.add_at(
            ("missing",), "missing must be a list or {skipped: [...], no_answer: [...]}", value=spec
        )
    return {k: tuple(v) for k, v in out.items()}


def _text(value: Any) -> str:
    """Raw answers are compared as text: 99 and 99.0 both read as '99'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_columns(spec: Any, key: str, probs: Problems) -> tuple[Column, ...]:
    if spec is None:
        return ()
    if not isinstance(spec, list):
        probs.add_at((key,), f"{key} must be a list of {{column, id}}", value=spec)
        return ()
    out = []
    for i, entry in enumerate(spec):
        if isinstance(entry, str):
            entry = {"column": entry, "id": None}
        if not isinstance(entry, Mapping) or not entry.get("column"):
            probs.add_at((key, i), f"{key} entry needs a 'column'", value=entry)
            continue
        cid = entry.get("id") or f"{key.rstrip('s')}_{i + 1}"
        if not _ID.match(str(cid)):
            probs.add_at(
                (key, i, "id"), "ids must be ASCII letters, digits and underscores", value=cid
            )
        out.append(Column(str(entry["column"]), str(cid), probs.lines.get((key, i))))
    return tuple(out)


def _parse_framework(data: Mapping[str, Any], probs: Problems) -> Framework | None:
    try:
        if "dimensions" in data:
            return load_framework(data["dimensions"], name=str(data.get("framework", "custom")))
        return load_framework(data.get("framework", "service-five"))
    except ConfigError as exc:
        probs.add_at(("dimensions",) if "dimensions" in data else ("framework",), str(exc))
        return None


_ITEM_KEYS = {"column", "id", "dimension", "reverse", "scale", "label"}


def _parse_items(
    spec: Any, framework: Framework | None, scales: Mapping[str, Scale], probs: Problems
) -> tuple[Item, ...]:
    if not isinstance(spec, list) or not spec:
        probs.add_at(
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
            probs.add_at(path, "an item must be a mapping {column, id, dimension}", value=entry)
            continue
        for key in entry:
            if key not in _ITEM_KEYS:
                probs.add_at(
                    (*path, key),
                    f"unknown item key {key!r}; expected one of " + ", ".join(sorted(_ITEM_KEYS)),
                    value=key,
                )
        column = entry.get("column")
        iid = entry.get("id")
        dim = entry.get("dimension")
        if not column:
            probs.add_at(path, "item needs a 'column'")
            continue
        column = str(column)
        if iid is None or not _ID.match(str(iid)):
            probs.add_at(
                (*path, "id"), "item id must be ASCII letters, digits and underscores", value=iid
            )
            iid = f"item_{i + 1}"
        iid = str(iid)
        if framework is not None and dim not in framework:
            probs.add_at(
                (*path, "dimension"),
                f"unknown dimension{did_you_mean(dim, framework.ids)}; expected one of "
                f"{', '.join(framework.ids)}",
                value=dim,
            )
        scale = str(entry.get("scale", DEFAULT_SCALE))
        if scale not in scales:
            known = ", ".join(scales) or "none declared"
            probs.add_at((*path, "scale"), f"unknown scale; expected one of {known}", value=scale)
        reverse = entry.get("reverse", False)
        if not isinstance(reverse, bool):
            probs.add_at((*path, "reverse"), "reverse must be true or false", value=reverse)
            reverse = False
        norm = normalize_header(column)
        if norm in by_column:
            first, first_dim = by_column[norm]
            what = (
                f"item in two dimensions ({first_dim} and {dim})"
                if first_dim != dim
                else "column listed twice"
            )
            probs.add_at(path, f"{what}; first listed at line {first}", value=column)
        else:
            by_column[norm] = (probs.lines.get(path, 0), str(dim))
        if iid in by_id:
            probs.add_at(
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
    "strata_column",
    "psu_column",
    "fpc_column",
    "text_columns",
    "items",
    "title",
    "description",
    "version",
    "notes",
)


def _check_keys(data: Mapping[str, Any], probs: Problems) -> None:
    """A misspelt key would silently drop a part of the codebook: report it."""
    import difflib

    for key in data:
        if key not in _TOP_KEYS:
            close = difflib.get_close_matches(str(key), _TOP_KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            probs.add_at((key,), f"unknown codebook key{hint}", value=key)


_RESERVED = {"respondent_id", "group", "row", "duration_s", "weight", "stratum", "psu", "fpc", "ip"}


def _check_ids(
    items: Sequence[Item],
    covariates: Sequence[Column],
    text_columns: Sequence[Column],
    probs: Problems,
) -> None:
    """Every id names one column of the responses: none reserved, none used twice."""
    entries = [(("items", i, "id"), it.id) for i, it in enumerate(items)]
    entries += [(("covariates", i, "id"), c.id) for i, c in enumerate(covariates)]
    entries += [(("text_columns", i, "id"), c.id) for i, c in enumerate(text_columns)]
    first: dict[str, tuple[Any, ...]] = {}
    for path, cid in entries:
        if cid in _RESERVED:
            probs.add_at(path, f"id {cid!r} is reserved for a standard column", value=cid)
        elif cid in first and path[0] != "items":  # item-item repeats are reported above
            where = probs.lines.get(first[cid][:2])
            probs.add_at(
                path, "id already used" + (f" at line {where}" if where else ""), value=cid
            )
        first.setdefault(cid, path)


def load_codebook(
    source: str | PathLike[str] | Mapping[str, Any] | Codebook,
) -> Codebook:
    """Read and validate a codebook.

    Parameters
    ----------
    source
        Path of a YAML file, a mapping with the same keys, or a
        :class:`~analysis.survey.codebook.Codebook` (returned as is).

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

    from analysis.core.dimensions import SERVICE_FIVE

    file: str | None = None
    if isinstance(source, Mapping):
        data: Any = dict(source)
        lines: dict[tuple[Any, ...], int] = {}
    else:
        path = Path(source)
        file = str(path)
        text = read_yaml_text(path, what="codebook", error=CodebookError)
        data, root = parse_yaml(text, file=path, what="codebook", error=CodebookError)
        lines = yaml_lines(root)
    if not isinstance(data, Mapping):
        raise CodebookError(
            f"{Path(file).name if file else 'codebook'}: expected a mapping with 'items', "
            f"got {type(data).__name__}",
            file=file,
        )
    probs = Problems(file, error=CodebookError, what="codebook problems", lines=lines)
    _check_keys(data, probs)
    framework = _parse_framework(data, probs)
    scales: dict[str, Scale] = {}
    if "scale" in data:
        sc = _parse_scale(DEFAULT_SCALE, data["scale"], ("scale",), probs)
        if sc is not None:
            scales[DEFAULT_SCALE] = sc
    extra = data.get("scales") or {}
    if not isinstance(extra, Mapping):
        probs.add_at(("scales",), "scales must map a name to {min, max, labels}", value=extra)
        extra = {}
    for name, spec in extra.items():
        sc = _parse_scale(str(name), spec, ("scales", name), probs)
        if sc is not None:
            scales[str(name)] = sc
    items = _parse_items(data.get("items"), framework, scales, probs)
    min_answered = data.get("min_answered", 0.5)
    if _number(min_answered) is None or not 0 <= float(min_answered) <= 1:
        probs.add_at(
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
        strata_column=_opt_str(data.get("strata_column")),
        psu_column=_opt_str(data.get("psu_column")),
        fpc_column=_opt_str(data.get("fpc_column")),
        text_columns=text_columns,
        path=file,
    )
    return codebook, probs.rows


def _opt_str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
