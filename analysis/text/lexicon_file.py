"""Read lexicon files: YAML, LIWC-style ``.dic`` and CSV, with line-numbered errors.

A :class:`~analysis.text.lexicon.Lexicon` is read from YAML (the format below), a
LIWC-style ``.dic`` file or a two-column CSV (``term,dimension`` plus an optional
``weight``) by :func:`load_lexicon`; :func:`default_lexicon` reads the packaged one::

    name: service-five
    version: "1.0"
    framework: service-five          # or {name: ..., dimensions: [{id, label_zh, label_en}]}
    dimensions:
      members:
        rationale: 党员教育管理服务 ...
        terms: [党员, 流动党员, 发展党员, 三会一课]
        weights: {党员: 0.5}
    phrases: {发展党员: members, 发展和改革委员会: null}
    contexts:   # a term that serves another dimension when its object follows closely
      - {term: 发展, followed_by: [入党积极分子, 预备党员], within: 4, dimension: members}
    negation: {cues: [不, 没有, 未, 缺乏], window: 4, scope: before}   # or scope: both
    none_cues:  # optional: formulas of clauses about no dimension (regular expressions)
      - 给予表彰
      - 本(?:条例|办法|规定)自[^。；]*施行
    subjects:   # optional: a clause that opens with one of these is about the dimension
      members: [党员, 流动党员, 基层党组织, 党支部]
    calibration: my-lexicon.calibration.csv   # optional: weights learnt on labelled passages

``none_cues`` are Python regular expressions matched on the simplified text (see
:class:`~analysis.text.lexicon.Lexicon`); a cue that does not compile or that matches the
empty text is reported with its line. Without the section a lexicon has no cues; without
``subjects`` it has no subject rule. ``calibration`` names a CSV beside the file (written by
:func:`~analysis.text.lexicon_calibration.calibrate_lexicon`) whose weights replace the hand
weights; a calibration made from other hand weights is refused.

Every problem in a file is collected (with its line) and reported in one
:class:`~analysis.core.errors.LexiconError`: unknown dimensions, a term listed in two dimensions
without weights for it in each, weights for terms not listed, terms that the segmenter
cannot produce as one token (they contain spaces or punctuation), malformed values.
"""

from __future__ import annotations

import functools
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core.dimensions import SERVICE_FIVE, Framework, load_framework
from analysis.core.errors import (
    ConfigError,
    InputError,
    LexiconError,
    Problems,
    did_you_mean,
)
from analysis.core.yamlio import node_line, node_value, parse_yaml
from analysis.text.lexicon import ONE_TOKEN, Lexicon
from analysis.text.lexicon_sections import (
    check_keys,
    parse_contexts,
    parse_negation,
    parse_none_cues,
    parse_phrases,
    parse_subjects,
)

if TYPE_CHECKING:
    from analysis.text.segment import Segmenter

__all__ = ["default_lexicon", "hand_weighted_lexicon", "load_lexicon"]

_TOP_KEYS = {
    "name",
    "version",
    "framework",
    "dimensions",
    "phrases",
    "contexts",
    "negation",
    "none_cues",
    "subjects",
    "description",
    "calibration",
}
_DIM_KEYS = {"terms", "weights", "rationale"}


# --------------------------------------------------------------------------- YAML


def _dimension_lookup(framework: Framework) -> dict[str, str]:
    lookup = {}
    for dim in framework:
        for key in (dim.id, dim.label_zh, dim.label_en, dim.label_en.lower()):
            lookup[key] = dim.id
    return lookup


def _check_term(term: Any, line: int, problems: Problems, dim: str) -> str | None:
    if not isinstance(term, str) or not term.strip():
        problems.add("a term must be non-empty text", line=line, value=term, column=dim)
        return None
    term = term.strip()
    if not ONE_TOKEN.match(term):
        problems.add(
            "contains spaces or punctuation, so the segmenter cannot produce it as one "
            "token; list it under phrases instead",
            line=line,
            value=term,
            column=dim,
        )
        return None
    return term


def _parse_yaml(path: Path, text: str, *, calibrated: bool = True) -> Lexicon:
    import yaml

    problems = Problems(path.name, error=LexiconError, what="lexicon problems", lines_as_rows=True)
    _, root = parse_yaml(text, file=path, what="lexicon", error=LexiconError)
    if not isinstance(root, yaml.MappingNode):
        raise LexiconError(f"{path.name}: expected a mapping with 'dimensions'", file=path)
    top = {node_value(k): (k, v) for k, v in root.value}
    check_keys(top, sorted(_TOP_KEYS), "unknown key", problems)
    name = str(node_value(top["name"][1])) if "name" in top else path.stem
    version = str(node_value(top["version"][1])) if "version" in top else "0"
    try:
        framework = load_framework(node_value(top["framework"][1]) if "framework" in top else None)
    except ConfigError as exc:
        problems.add(str(exc), line=node_line(top["framework"][1]))
        framework = SERVICE_FIVE
    lookup = _dimension_lookup(framework)
    terms: dict[str, dict[str, float]] = {}
    rationale: dict[str, str] = {}
    where: dict[str, list[tuple[str, int, bool]]] = {}  # term -> [(dim, line, weighted)]
    dims_node = top.get("dimensions", (None, None))[1]
    if not isinstance(dims_node, yaml.MappingNode):
        problems.add(
            "needs 'dimensions': a mapping of dimension id to {terms, weights, rationale}",
            line=node_line(dims_node) if dims_node is not None else 1,
        )
        problems.raise_if_any()
    for dkey, dval in dims_node.value:
        raw = node_value(dkey)
        dim = lookup.get(str(raw))
        if dim is None:
            problems.add(
                f"unknown dimension{did_you_mean(raw, framework.ids)}; expected one of "
                f"{', '.join(framework.ids)}",
                line=node_line(dkey),
                value=raw,
            )
            continue
        _parse_dimension(dim, dval, terms, rationale, where, problems)
    _check_shared_terms(where, problems)
    phrases = parse_phrases(top.get("phrases", (None, None))[1], lookup, framework, problems)
    contexts = parse_contexts(top.get("contexts", (None, None))[1], lookup, terms, problems)
    cues, window, scope = parse_negation(top.get("negation", (None, None))[1], problems)
    none_cues = parse_none_cues(top.get("none_cues", (None, None))[1], problems)
    subjects = parse_subjects(top.get("subjects", (None, None))[1], lookup, framework, problems)
    calibration = None
    if "calibration" in top:
        calibration = node_value(top["calibration"][1])
        if not isinstance(calibration, str) or not calibration.strip():
            problems.add(
                "calibration must name a CSV file next to the lexicon",
                line=node_line(top["calibration"][1]),
                value=calibration,
            )
    problems.raise_if_any()
    lexicon = Lexicon(
        name=name,
        version=version,
        framework=framework,
        terms={d: terms.get(d, {}) for d in framework.ids},
        phrases=phrases,
        contexts=contexts,
        none_cues=none_cues,
        subjects=subjects,
        negation_cues=cues,
        negation_window=window,
        negation_scope=scope,
        rationale=rationale,
        path=str(path),
    )
    if calibration is None or not calibrated:
        return lexicon
    from analysis.text.calibration_file import apply_calibration, read_calibration

    cal_path = path.parent / calibration
    return apply_calibration(lexicon, read_calibration(cal_path), source=cal_path.name)


def _parse_dimension(
    dim: str,
    node: Any,
    terms: dict[str, dict[str, float]],
    rationale: dict[str, str],
    where: dict[str, list[tuple[str, int, bool]]],
    problems: Problems,
) -> None:
    import yaml

    if isinstance(node, yaml.SequenceNode):  # shorthand: members: [党员, ...]
        items = {"terms": (None, node)}
    elif isinstance(node, yaml.MappingNode):
        items = {node_value(k): (k, v) for k, v in node.value}
    else:
        problems.add(
            "expected a list of terms or {terms, weights}", line=node_line(node), column=dim
        )
        return
    for key, (knode, _) in items.items():
        if key not in _DIM_KEYS:
            problems.add(
                f"unknown key; expected one of {', '.join(sorted(_DIM_KEYS))}",
                line=node_line(knode),
                value=key,
                column=dim,
            )
    weights: dict[str, tuple[float, int]] = {}
    wnode = items.get("weights", (None, None))[1]
    if isinstance(wnode, yaml.MappingNode):
        for k, v in wnode.value:
            value = node_value(v)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                problems.add(
                    "a weight must be a positive number", line=node_line(v), value=value, column=dim
                )
                continue
            weights[str(node_value(k))] = (float(value), node_line(k))
    elif wnode is not None:
        problems.add("weights must be a mapping term: number", line=node_line(wnode), column=dim)
    tnode = items.get("terms", (None, None))[1]
    if not isinstance(tnode, yaml.SequenceNode):
        problems.add("needs 'terms': a list", line=node_line(node), column=dim)
        return
    bucket = terms.setdefault(dim, {})
    for item in tnode.value:
        term = _check_term(node_value(item), node_line(item), problems, dim)
        if term is None or term in bucket:
            continue
        bucket[term] = weights.get(term, (1.0, 0))[0]
        where.setdefault(term, []).append((dim, node_line(item), term in weights))
    for term, (_, line) in weights.items():
        if term not in bucket:
            problems.add(
                "weight given for a term not listed in terms", line=line, value=term, column=dim
            )
    rnode = items.get("rationale", (None, None))[1]
    if rnode is not None:
        rationale[dim] = str(node_value(rnode)).strip()


def _imported_lexicon(
    path: Path,
    framework: Framework,
    terms: dict[str, dict[str, float]],
    where: dict[str, list[tuple[str, int, bool]]],
    problems: Problems,
) -> Lexicon:
    """Finish a lexicon imported from a .dic or CSV file: check, raise once, build."""
    _check_shared_terms(where, problems)
    problems.raise_if_any()
    return Lexicon(
        name=path.stem,
        version="0",
        framework=framework,
        terms={d: terms.get(d, {}) for d in framework.ids},
        path=str(path),
    )


def _check_shared_terms(where: dict[str, list[tuple[str, int, bool]]], problems: Problems) -> None:
    for term, places in where.items():
        if len(places) > 1 and not all(weighted for _, _, weighted in places):
            dims = ", ".join(f"{d} (line {ln})" for d, ln, _ in places)
            problems.add(
                f"listed in several dimensions ({dims}) without a weight in each; give it "
                "weights in every dimension or keep it in one",
                line=places[-1][1],
                value=term,
            )


# --------------------------------------------------------------------------- .dic and CSV


def _parse_dic(path: Path, text: str, framework: Framework) -> Lexicon:
    problems = Problems(path.name, error=LexiconError, what="lexicon problems", lines_as_rows=True)
    lookup = _dimension_lookup(framework)
    lines = text.splitlines()
    marks = [i for i, ln in enumerate(lines) if ln.strip() == "%"]
    if len(marks) < 2:
        raise LexiconError(
            f"{path.name}: a .dic file needs a category block between two '%' lines",
            file=path,
        )
    categories: dict[str, str] = {}
    for i in range(marks[0] + 1, marks[1]):
        parts = lines[i].split()
        if not parts:
            continue
        if len(parts) < 2:
            problems.add("expected 'number<TAB>category'", line=i + 1, value=lines[i])
            continue
        dim = lookup.get(parts[1])
        if dim is None:
            problems.add(
                f"unknown dimension{did_you_mean(parts[1], framework.ids)}; expected one of "
                f"{', '.join(framework.ids)}",
                line=i + 1,
                value=parts[1],
            )
            continue
        categories[parts[0]] = dim
    terms: dict[str, dict[str, float]] = {}
    where: dict[str, list[tuple[str, int, bool]]] = {}
    for i in range(marks[1] + 1, len(lines)):
        parts = lines[i].split()
        if not parts:
            continue
        word, cats = parts[0], parts[1:]
        if word.endswith("*"):
            problems.add("wildcards are not supported; list the words", line=i + 1, value=word)
            continue
        if not cats:
            problems.add("word without a category number", line=i + 1, value=word)
            continue
        term = _check_term(word, i + 1, problems, "")
        if term is None:
            continue
        for cat in cats:
            if cat not in categories:
                problems.add("category number not declared in the header", line=i + 1, value=cat)
                continue
            terms.setdefault(categories[cat], {})[term] = 1.0
            where.setdefault(term, []).append((categories[cat], i + 1, False))
    return _imported_lexicon(path, framework, terms, where, problems)


def _parse_csv(path: Path, text: str, framework: Framework) -> Lexicon:
    import csv
    import io

    problems = Problems(path.name, error=LexiconError, what="lexicon problems", lines_as_rows=True)
    lookup = _dimension_lookup(framework)
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise LexiconError(f"{path.name}: empty file", file=path)
    header = [h.strip().lower() for h in rows[0]]
    if "term" in header and "dimension" in header:
        ti, di = header.index("term"), header.index("dimension")
        wi = header.index("weight") if "weight" in header else None
        body = list(enumerate(rows[1:], start=2))
    else:
        ti, di, wi = 0, 1, 2 if len(rows[0]) > 2 else None
        body = list(enumerate(rows, start=1))
    terms: dict[str, dict[str, float]] = {}
    where: dict[str, list[tuple[str, int, bool]]] = {}
    for line, row in body:
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(ti, di):
            problems.add("expected term,dimension", line=line, value=",".join(row))
            continue
        dim = lookup.get(row[di].strip())
        if dim is None:
            problems.add(
                f"unknown dimension{did_you_mean(row[di].strip(), framework.ids)}; expected one "
                f"of {', '.join(framework.ids)}",
                line=line,
                value=row[di].strip(),
                column="dimension",
            )
            continue
        term = _check_term(row[ti], line, problems, dim)
        if term is None:
            continue
        weight, weighted = 1.0, False
        if wi is not None and wi < len(row) and row[wi].strip():
            try:
                weight, weighted = float(row[wi]), True
            except ValueError:
                problems.add("weight must be a number", line=line, value=row[wi], column="weight")
                continue
        terms.setdefault(dim, {})[term] = weight
        where.setdefault(term, []).append((dim, line, weighted))
    return _imported_lexicon(path, framework, terms, where, problems)


# --------------------------------------------------------------------------- public


def load_lexicon(
    path: str | PathLike[str],
    *,
    framework: Framework | str | None = None,
    segmenter: Segmenter | None = None,
    calibrated: bool = True,
) -> Lexicon:
    """Read a lexicon from YAML, a LIWC-style ``.dic`` file or a CSV.

    Parameters
    ----------
    path
        ``.yaml``/``.yml`` (format in the module docstring), ``.dic`` (LIWC: a ``%``-delimited
        block of ``number<TAB>category`` lines, then ``word<TAB>number...`` lines; categories
        are dimension ids or labels such as 服务改革), or ``.csv`` (``term,dimension`` with an
        optional ``weight`` column; a header row is optional).
    framework
        Dimensions for .dic and CSV files (default SERVICE_FIVE); YAML names its own.
    segmenter
        When given, also check that every term comes out of
        ``Segmenter.for_lexicon(lexicon)`` built with the same settings as one token.
    calibrated
        Apply the calibrated weights a YAML lexicon names under ``calibration:`` (see
        :mod:`analysis.text.lexicon_calibration`); ``False`` gives the hand weights.

    Returns
    -------
    Lexicon

    Raises
    ------
    LexiconError
        Every problem found, each with its line (see ``.problems``).
    InputError
        The file is missing or cannot be decoded.

    Examples
    --------
    >>> lex = load_lexicon("analysis/resources/lexicon/service-five.yaml")  # doctest: +SKIP
    """
    from analysis.io.encoding import read_text_file

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: lexicon file not found", file=path)
    text, _ = read_text_file(path)
    suffix = path.suffix.lower()
    fw = load_framework(framework)
    if suffix in (".yaml", ".yml"):
        lexicon = _parse_yaml(path, text, calibrated=calibrated)
    elif suffix == ".dic":
        lexicon = _parse_dic(path, text, fw)
    elif suffix in (".csv", ".txt"):
        lexicon = _parse_csv(path, text, fw)
    else:
        raise LexiconError(
            f"{path.name}: unsupported lexicon format {suffix!r}; expected .yaml, .dic or .csv",
            file=path,
        )
    if segmenter is not None:
        lexicon.check(segmenter.with_words(lexicon.words()))
    return lexicon


def default_lexicon() -> Lexicon:
    """The packaged service-five lexicon (``resources/lexicon/service-five.yaml``).

    Written from the 2014 Opinion on strengthening grassroots service-oriented party
    organisations and the vocabulary of party building and community governance; each
    dimension's rationale is in the file and in :meth:`Lexicon.summary`. Read once per
    process (a :class:`Lexicon` is frozen): parsing the file took about 0.4 s, paid by every
    ``score_texts`` call without a lexicon.
    """
    return _packaged_lexicon()


def hand_weighted_lexicon() -> Lexicon:
    """The packaged lexicon with its hand weights, before calibration.

    The starting point of :func:`~analysis.text.lexicon_calibration.calibrate_lexicon`
    (``scripts/calibrate_lexicon.py`` recalibrates the packaged one from it).
    """
    return load_lexicon(_packaged_path(), calibrated=False)


def _packaged_path() -> Path:
    return Path(str(resources.files("analysis") / "resources" / "lexicon" / "service-five.yaml"))


@functools.lru_cache(maxsize=1)
def _packaged_lexicon() -> Lexicon:
    return load_lexicon(_packaged_path())
