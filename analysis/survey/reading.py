"""Read survey exports into :class:`SurveyData`: recoded, with a quarantine for bad rows.

The export is read as text by :func:`analysis.io.tabular.read_raw_table` (CSV, XLSX/XLS,
SPSS ``.sav`` and Stata ``.dta``; platforms told apart by :mod:`analysis.io.platforms`):
every cell is text first (so ``"None"``, ``"NA"`` and ``"null"`` stay text unless the
codebook declares them missing, and ID and phone numbers keep their leading zeros), then
recoded column by column with vectorised lookups. A row is never lost: it is in
``responses`` or in ``quarantine`` with the place and the reason.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core.buffers import populated_empty
from analysis.core.errors import CodebookError, DataQualityWarning, InputError, Problems, location
from analysis.io.platforms import normalize_header, parse_duration
from analysis.io.tabular import PathArg, RawTable, read_raw_table
from analysis.report.privacy import mask_pii
from analysis.survey.codebook import NAMED_COLUMNS, Codebook
from analysis.survey.codebook_file import load_codebook_partial

if TYPE_CHECKING:  # pragma: no cover
    from analysis.stats.design import SurveyDesign
from analysis.survey.recoding import (
    FrameOnDemand,
    MissingKinds,
    empty_quarantine,
    expected,
    nfkc,
    problem_rows,
    recode_item,
    repeated_rows,
)

__all__ = ["QUARANTINE_COLUMNS", "SurveyData", "read_survey"]

log = logging.getLogger("analysis")

QUARANTINE_COLUMNS = ("file", "sheet", "row", "column", "value", "problem")
EXCLUSION_COLUMNS = ("respondent_id", "row", "reason")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SurveyData:
    """A survey read with its codebook.

    Attributes
    ----------
    responses
        One row per kept respondent: ``respondent_id`` (str; the row's ordinal when the
        codebook names no id column), ``group`` (str; ``"all"`` without a group column),
        ``row`` (int, the row in the file, header = 1), one float column per item id
        (recoded, reverse items reversed, NaN when missing), covariate ids, text column
        ids, ``duration_s`` (float seconds, when the codebook names a duration column),
        ``weight`` (when it names a weight column), ``stratum``, ``psu`` and ``fpc`` (when it
        names design columns; see :attr:`design`) and ``ip`` (when the export has an IP
        column; it tells duplicate submissions apart and is personal data, so keep it out
        of shared outputs). Without a codebook: ``respondent_id``, ``row`` and the raw
        columns as text.
    missing
        Aligned with ``responses`` (same index), one column per item id: ``"skipped"``
        (skip logic, e.g. ``(跳过)``), ``"no_answer"`` (``(空)``, an empty cell, or a
        declared code such as 99) or None when answered. Built when first read.
    quarantine
        One row per problem: ``file``, ``sheet``, ``row``, ``column``, ``value``,
        ``problem``. A row with any problem is kept out of ``responses``.
    codebook
        The :class:`~analysis.survey.codebook.Codebook` used, or None.
    source
        ``path``, ``sha256``, ``format``, ``encoding``, ``platform``, ``sheet``, ``n_rows``
        (answer rows read) and ``n_blank_rows`` (wholly empty rows, left out; the row
        numbers of the others are still as in the file).
    exclusions
        ``respondent_id``, ``row``, ``reason``: rows a quality screen excluded on request.
    """

    responses: pd.DataFrame
    missing: pd.DataFrame = FrameOnDemand()  # type: ignore[assignment]  # noqa: RUF009
    quarantine: pd.DataFrame
    codebook: Codebook | None
    source: Mapping[str, Any]
    exclusions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {
                "respondent_id": pd.Series(dtype=str),
                "row": pd.Series(dtype="int64"),
                "reason": pd.Series(dtype=str),
            }
        )
    )

    @property
    def n_input(self) -> int:
        """Rows in the file(s): kept + quarantined (+ excluded by quality screens)."""
        return int(self.source.get("n_rows", 0))

    @property
    def design(self) -> SurveyDesign | None:
        """The sampling design the codebook declares, over the columns of :attr:`responses`
        and of ``score_survey``'s scores: ``weight``, ``stratum``, ``psu`` and ``fpc``; None
        when it names none of them. Pass it to ``survey_means``, ``survey_compare``,
        ``chi_square(design=...)`` … for design-based standard errors and tests.
        """
        from analysis.stats.design import SurveyDesign

        names = {
            "weights": "weight",
            "strata": "stratum",
            "psu": "psu",
            "fpc": "fpc",
        }
        given = {k: v for k, v in names.items() if v in self.responses.columns}
        return SurveyDesign(**given) if given else None

    def item_matrix(self, item_ids: Sequence[str] | None = None) -> np.ndarray:
        """Items as a float matrix (respondents x items), NaN for missing."""
        ids = list(self._codebook().item_ids if item_ids is None else item_ids)
        return self.responses[ids].to_numpy(dtype="float64", na_value=np.nan, copy=True)

    def _codebook(self) -> Codebook:
        if self.codebook is None:
            raise InputError("this survey was read without a codebook; items are unknown")
        return self.codebook

    def with_(self, **changes: Any) -> SurveyData:
        """A copy with some fields replaced (the object itself is frozen)."""
        changes.setdefault("missing", self.__dict__["missing"])  # not built for a copy
        return replace(self, **changes)

    def __repr__(self) -> str:
        name = Path(str(self.source.get("path", ""))).name
        return (
            f"SurveyData({name!r}, {len(self.responses)} respondents, "
            f"{len(self.quarantine)} quarantine problems, {len(self.exclusions)} excluded)"
        )


# --------------------------------------------------------------------------- recoding


def _resolve_columns(cb: Codebook, raw: RawTable) -> dict[str, str]:
    """Codebook column -> export header; raise CodebookError once for every unknown column."""
    headers = {normalize_header(c): c for c in raw.frame.columns}
    found: dict[str, str] = {}
    problems = Problems(cb.path, error=CodebookError, what="codebook problems")
    named: list[tuple[str, str, int | None]] = []
    for attr in NAMED_COLUMNS:
        col = getattr(cb, attr)
        if col is not None:
            named.append((col, attr.replace("_column", " column"), None))
    named += [(it.column, f"item {it.id}", it.line) for it in cb.items]
    named += [(c.column, f"covariate {c.id}", c.line) for c in cb.covariates]
    named += [(c.column, f"text column {c.id}", c.line) for c in cb.text_columns]
    for col, what, line in named:
        hit = headers.get(normalize_header(col)) or raw.aliases.get(normalize_header(col))
        if hit is None:
            close = _closest(col, list(raw.frame.columns))
            hint = f"; closest header: {close!r}" if close else ""
            problems.add(f"{what}: column not found in {raw.name}{hint}", line=line, column=col)
        else:
            found[col] = hit
    problems.raise_if_any()
    return found


def _check_duplicates(cb: Codebook | None, raw: RawTable, *, stacklevel: int = 4) -> None:
    """Refuse duplicated headers the codebook relies on; warn about the others."""
    if not raw.duplicate_headers:
        return
    used = set() if cb is None else {normalize_header(c) for c, _ in _named(cb)}
    clash = [k for k in raw.duplicate_headers if k in used]
    if clash:
        where = ", ".join(
            f"{k!r} (columns {' and '.join(map(str, raw.duplicate_headers[k]))})" for k in clash
        )
        raise InputError(
            f"{location(raw.name, sheet=raw.sheet, row=1)}: duplicated column header "
            f"{where}; the codebook "
            "uses it, so the column is ambiguous: rename one of them",
            file=raw.path,
            row=1,
        )
    others = ", ".join(
        f"{k!r} (columns {' and '.join(map(str, v))})" for k, v in raw.duplicate_headers.items()
    )
    warnings.warn(
        f"{location(raw.name, sheet=raw.sheet, row=1)}: duplicated column header "
        f"{others}; later copies are "
        "read as '<header> [column N]'",
        DataQualityWarning,
        stacklevel=stacklevel,
    )


def _named(cb: Codebook) -> list[tuple[str, str]]:
    out = []
    for attr in NAMED_COLUMNS:
        col = getattr(cb, attr)
        if col is not None:
            out.append((col, attr))
    out += [(it.column, it.id) for it in cb.items]
    out += [(c.column, c.id) for c in (*cb.covariates, *cb.text_columns)]
    return out


def _check_codebook(cb: Codebook, earlier: list[dict[str, Any]], raw: RawTable) -> None:
    """Raise once with the codebook's own problems and the columns the export lacks."""
    _check_duplicates(cb, raw)
    try:
        _resolve_columns(cb, raw)
    except CodebookError as exc:
        rows = [] if exc.problems is None else exc.problems.to_dict("records")
    else:
        rows = []
    if earlier or rows:
        raise CodebookError.from_problems([*earlier, *rows], file=cb.path, what="codebook problems")


def _closest(col: str, headers: list[str]) -> str | None:
    import difflib

    norm = {normalize_header(h): h for h in headers}
    hits = difflib.get_close_matches(normalize_header(col), list(norm), n=1, cutoff=0.6)
    return norm[hits[0]] if hits else None


def _source(raw: RawTable) -> dict[str, Any]:
    return {
        "path": raw.path,
        "sha256": raw.sha256,
        "format": raw.format,
        "encoding": raw.encoding,
        "platform": raw.platform,
        "sheet": raw.sheet,
        "n_rows": len(raw.frame),
        "n_blank_rows": raw.n_blank_rows,
    }


def _without_codebook(raw: RawTable) -> SurveyData:
    frame = raw.frame
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if cats:  # the raw columns come back as text, however the reader held them
        frame = frame.astype(dict.fromkeys(cats, "str"))
    id_col = next((c for c in frame.columns if normalize_header(c) in {"序号", "编号"}), None)
    head = pd.DataFrame(
        {
            "respondent_id": (
                frame[id_col].astype(str)
                if id_col
                else pd.Series((raw.rows - raw.header_rows).astype(str), index=frame.index)
            ),
            "row": raw.rows,
        }
    )
    responses = pd.concat([head, frame], axis=1).reset_index(drop=True)
    return SurveyData(
        responses=responses,
        missing=pd.DataFrame(index=responses.index),
        quarantine=empty_quarantine(),
        codebook=None,
        source=_source(raw),
    )


def read_survey(
    path: PathArg | Sequence[PathArg] | pd.DataFrame,
    *,
    codebook: Codebook | PathArg | Mapping[str, Any] | None = None,
    sheet: str | int = 0,
    encoding: str | None = None,
) -> SurveyData:
    """Read a survey export and recode it with its codebook.

    Parameters
    ----------
    path
        A CSV, XLSX/XLS, SAV or DTA export; or ``[text_export, code_export]`` of one
        问卷星 survey, joined on 序号 (see :func:`~analysis.io.tabular.join_wjx_exports`);
        or a DataFrame laid out like an export (its columns are the header; rows are
        numbered from 2, as if the header were row 1).
    codebook
        A :class:`~analysis.survey.codebook.Codebook`, a path to its YAML or a mapping. Without
        one, the raw columns are returned as text with ``respondent_id`` and ``row``.
    sheet
        Sheet name or 0-based index of an Excel export.
    encoding
        Force the encoding of a CSV (otherwise utf-8-sig, utf-8, gb18030 are tried).

    Returns
    -------
    SurveyData
        ``responses``, ``missing``, ``quarantine``, ``codebook``, ``source`` and an empty
        ``exclusions``; see :class:`SurveyData` for every column.

    Raises
    ------
    InputError
        The file cannot be read (missing, empty, header only, undecodable, duplicated or
        doubled headers, not really an Excel file); the message names file and row.
    CodebookError
        Columns the codebook names are not in the export (all listed at once, with the
        codebook line and the closest header).

    Warns
    -----
    DataQualityWarning
        When rows were quarantined: how many, and how many problems.

    Notes
    -----
    Recoding: an answer is a scale label (``满意`` -> 4) or one of the scale's numbers
    (``4``, as in 按序号 exports); missing codes are kept apart as ``skipped`` and
    ``no_answer`` (an empty cell counts as ``no_answer``). Reverse items are scored
    ``min + max - x``. Anything else is never guessed: the row goes to the quarantine with
    file, sheet, row, column, value and the expected options. Rows with an empty or
    repeated respondent id, an empty group, an unreadable duration or a negative or
    non-numeric weight are quarantined too. Input rows = kept + quarantined, always.

    Examples
    --------
    >>> import pandas as pd
    >>> export = pd.DataFrame({
    ...     "序号": [1, 2, 3],
    ...     "社区": ["桂花社区", "梅园社区", "桂花社区"],
    ...     "7、一站式服务": ["满意", "(跳过)", "很满意"],
    ... })
    >>> codebook = {
    ...     "id_column": "序号", "group_column": "社区",
    ...     "scale": {"min": 1, "max": 5, "labels": {"不满意": 2, "一般": 3, "满意": 4}},
    ...     "missing": {"skipped": ["(跳过)"]},
    ...     "items": [{"column": "7、一站式服务", "id": "q7", "dimension": "reform"}],
    ... }
    >>> import warnings
    >>> with warnings.catch_warnings():  # a DataQualityWarning: 1 row quarantined
    ...     warnings.simplefilter("ignore")
    ...     survey = read_survey(export, codebook=codebook)
    >>> survey.responses[["respondent_id", "group", "row", "q7"]]
      respondent_id group  row   q7
    0             1  桂花社区    2  4.0
    1             2  梅园社区    3  NaN
    >>> survey.missing["q7"].tolist()
    [None, 'skipped']
    >>> survey.quarantine[["row", "value"]]
       row value
    0    4   很满意
    """
    raw = read_raw_table(path, sheet=sheet, encoding=encoding)
    if codebook is None:
        _check_duplicates(None, raw, stacklevel=3)
        return _without_codebook(raw)
    cb, problems = load_codebook_partial(codebook)
    _check_codebook(cb, problems, raw)
    return recode(raw, cb)


def recode(raw: RawTable, cb: Codebook) -> SurveyData:
    """Recode a :class:`~analysis.io.tabular.RawTable` with a codebook (the work behind
    :func:`read_survey`)."""
    cols = _resolve_columns(cb, raw)
    frame = raw.frame
    n = len(frame)
    bad_row = np.zeros(n, dtype=bool)
    problems: list[pd.DataFrame] = []
    out: dict[str, Any] = {}

    if cb.id_column:
        ids = raw.text(cols[cb.id_column])
        empty = (ids == "").to_numpy()
        dup = repeated_rows(ids) & ~empty
        for mask, what in (
            (empty, "empty respondent id"),
            (dup, "respondent id repeats an earlier row"),
        ):
            if mask.any():
                problems.append(problem_rows(raw, mask, cb.id_column, ids, what))
                bad_row |= mask
        out["respondent_id"] = ids
    else:
        out["respondent_id"] = pd.Series((raw.rows - raw.header_rows).astype(str), dtype="str")
    if cb.group_column:
        grp = raw.text(cols[cb.group_column])
        # full-width and half-width missing codes alike, as in item columns: （跳过） is (跳过);
        # each distinct group label is looked at once
        missing_codes = {nfkc(v) for vals in cb.missing.values() for v in vals}
        codes, labels = raw.factorize(cols[cb.group_column])
        no_group = np.array([u == "" or nfkc(u) in missing_codes for u in labels] + [False])
        # a respondent who names no community is still a valid respondent: kept, with the
        # group missing, for scores, reliability and item analysis; group comparisons
        # leave them out
        out["group"] = grp.mask(no_group[codes]) if no_group.any() else grp
    else:
        out["group"] = pd.Series(np.full(n, "all", dtype=object), dtype="str")
    out["row"] = raw.rows

    # items go straight into one column-major block each: no copies when frames are built
    # (in memory mapped and faulted in at once, see analysis.core.buffers)
    item_ids = [it.id for it in cb.items]
    numbers = populated_empty((n, len(item_ids)), np.float64, order="F")
    kinds = populated_empty((n, len(item_ids)), np.int8, order="F")
    scratch = np.empty(n, dtype=np.intp)  # row indices, one buffer for every item
    for j, it in enumerate(cb.items):
        values = frame[cols[it.column]]
        _, _, bad = recode_item(
            values,
            it,
            cb,
            factorized=raw.factorize(cols[it.column]),
            out=(numbers[:, j], kinds[:, j]),
            scratch=scratch,
        )
        formulas = raw.unsaved_formulas.get(cols[it.column])
        if formulas:  # read as empty, but the cell is not unanswered: its value was never saved
            at = frame.index.get_indexer(list(formulas))
            unsaved = np.zeros(n, dtype=bool)
            unsaved[at[at >= 0]] = True
            shown = pd.Series(list(formulas.values()), index=list(formulas)).reindex(frame.index)
            problems.append(
                problem_rows(
                    raw,
                    unsaved,
                    it.column,
                    shown,
                    "a formula without a saved value; open the file in Excel and save it, so "
                    "that the value is stored",
                )
            )
            bad_row |= unsaved
            bad &= ~unsaved
        if bad.any():
            problems.append(
                problem_rows(
                    raw,
                    bad,
                    it.column,
                    values,
                    f"answer not on scale {it.scale!r}; " + expected(it, cb),
                )
            )
            bad_row |= bad
    miss_values = {v for vals in cb.missing.values() for v in vals}
    for c in (*cb.covariates, *cb.text_columns):
        v = raw.text(cols[c.column])
        gone = v.isin(list(miss_values | {""}))  # no copy when no cell is missing
        out[c.id] = v.where(~gone, None) if gone.any() else v
    if cb.duration_column:
        # each distinct answering time read once, the rows taking theirs by index
        codes, labels = raw.factorize(cols[cb.duration_column])
        texts = pd.Series(np.append(labels, ""), dtype="str")  # code -1 (none): empty
        label_secs = parse_duration(texts).to_numpy()
        label_bad = np.isnan(label_secs) & (texts.str.strip() != "").to_numpy()
        secs, bad = label_secs[codes], label_bad[codes]
        if bad.any():
            problems.append(
                problem_rows(
                    raw,
                    bad,
                    cb.duration_column,
                    raw.text(cols[cb.duration_column]),
                    "cannot read the answering time; expected seconds "
                    "such as 259, 259秒, 4分19秒 or 0:04:19",
                )
            )
            bad_row |= bad
        out["duration_s"] = secs
    if cb.weight_column:
        text = raw.text(cols[cb.weight_column])
        w = pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            problems.append(
                problem_rows(raw, bad, cb.weight_column, text, "weight must be a number >= 0")
            )
            bad_row |= bad
        out["weight"] = w
    for attr, name in (("strata_column", "stratum"), ("psu_column", "psu")):
        column = getattr(cb, attr)
        if column:
            text = raw.text(cols[column])
            bad = (text.astype(str).str.strip() == "").to_numpy()
            if bad.any():
                problems.append(problem_rows(raw, bad, column, text, f"{name} is missing"))
                bad_row |= bad
            out[name] = text.astype(str).str.strip().to_numpy()
    if cb.fpc_column:
        text = raw.text(cols[cb.fpc_column])
        f = pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        bad = ~np.isfinite(f) | (f <= 0)
        if bad.any():
            problems.append(problem_rows(raw, bad, cb.fpc_column, text, "fpc must be a number > 0"))
            bad_row |= bad
        out["fpc"] = f

    ip_col = next(
        (c for c in frame.columns if normalize_header(c) in {"来自IP", "IP", "IP地址"}), None
    )
    if ip_col is not None:
        out["ip"] = raw.text(ip_col).str.replace(r"\(.*\)$", "", regex=True)
    keep = ~bad_row
    if not keep.all():  # filter the arrays before building frames: one copy, not two
        out = {k: v[keep] for k, v in out.items()}
        kept = populated_empty((int(keep.sum()), len(item_ids)), np.float64, order="F")
        numbers = np.compress(keep, numbers, axis=0, out=kept)
        kinds = kinds[keep]
    # text columns stay Arrow-backed text: no Python string per cell
    out = {k: v.reset_index(drop=True) if isinstance(v, pd.Series) else v for k, v in out.items()}
    for c in (*cb.covariates, *cb.text_columns):
        if not out[c.id].notna().any():  # nothing answered: a column of None, as ever
            out[c.id] = np.full(len(out[c.id]), None, dtype=object)
    head = pd.DataFrame({c: out.pop(c) for c in ("respondent_id", "group", "row")})
    items = pd.DataFrame(numbers, columns=item_ids, copy=False)
    responses = pd.concat([head, items, pd.DataFrame(out)], axis=1)
    quarantine = (
        pd.concat(problems, ignore_index=True)
        .sort_values("row", kind="stable")
        .reset_index(drop=True)
        if problems
        else empty_quarantine()
    )
    if len(quarantine):
        nrows = int(bad_row.sum())
        first_row = int(quarantine["row"].iloc[0])
        first_col = quarantine["column"].iloc[0]
        first_value = quarantine["value"].iloc[0]
        # the value of a quarantined cell can be a phone or ID number typed into the wrong
        # column, and a warning ends up in a notebook's saved output, so it is masked here
        got = "" if first_value is None else f": got {mask_pii(first_value)!r}"
        n_problems = f"{len(quarantine)} problem{'s' if len(quarantine) != 1 else ''}"
        warnings.warn(
            f"{raw.name}: {nrows} of {n} rows quarantined ({n_problems}, e.g. "
            f"{location(raw.name, sheet=raw.sheet, row=first_row, column=first_col)}"
            f"{got}; {quarantine['problem'].iloc[0]}); see .quarantine",
            DataQualityWarning,
            stacklevel=3,
        )
    n_no_group = int(responses["group"].isna().sum()) if cb.group_column else 0
    if n_no_group:
        warnings.warn(
            f"{raw.name}: {n_no_group} respondent(s) name no group in column "
            f"{cb.group_column!r}; they are kept for scores, reliability and item analysis "
            "and left out of group comparisons",
            DataQualityWarning,
            stacklevel=3,
        )
    kept, bad = int(keep.sum()), int(bad_row.sum())
    log.info("read %s: %d rows, %d kept, %d quarantined", raw.name, n, kept, bad)
    return SurveyData(
        responses=responses,
        missing=MissingKinds(kinds, item_ids),
        quarantine=quarantine,
        codebook=cb,
        source=_source(raw),
    )
