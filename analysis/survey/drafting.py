"""Codebooks meet exports: check a codebook against a survey export, or draft one from it.

:func:`validate_codebook` lists every column the export lacks and every answer the scale
labels and ``missing`` do not cover, each with its codebook line; :func:`draft_codebook`
writes a first YAML draft (metadata columns, detected Likert ladders, reverse-worded
candidates) for a researcher to review.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from analysis.core.errors import CodebookError, Problems
from analysis.io.platforms import normalize_header
from analysis.survey.codebook import NAMED_COLUMNS, Codebook
from analysis.survey.codebook_file import load_codebook_partial

__all__ = ["LADDERS", "draft_codebook", "validate_codebook"]


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
        A :class:`~analysis.survey.codebook.Codebook` or anything
        :func:`~analysis.survey.codebook_file.load_codebook` accepts.
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
    from analysis.survey.recoding import recode_item

    cb, rows = load_codebook_partial(codebook)
    table = read_raw_table(export, sheet=sheet)
    probs = Problems(cb.path, error=CodebookError, what="codebook problems")
    probs.rows.extend(rows)
    headers = {**table.aliases, **{normalize_header(c): c for c in table.frame.columns}}
    for col, what in _named_columns(cb):
        if normalize_header(col) not in headers:
            probs.add(f"{what[0]} column not found in {table.name}", line=what[1], column=col)
    for it in cb.items:
        raw = headers.get(normalize_header(it.column))
        if raw is None or it.scale not in cb.scales:
            continue
        values = table.frame[raw].astype(str)  # text, also where the reader gave categories
        bad = values[recode_item(values, it, cb)[2]]
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
    for name in NAMED_COLUMNS:
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


def _is_open_text(answers: Sequence[str]) -> bool:
    """Whether the answers of a column read as free text rather than a short list of options.

    Many distinct answers, long answers, or nearly every answer different: an open question
    answered by 80 residents has fewer than 20 distinct answers but is still free text.
    """
    if not answers:
        return False
    distinct = set(answers)
    lengths = sorted(len(a) for a in answers)
    median = lengths[len(lengths) // 2]
    varied = len(answers) >= 10 and len(distinct) > 0.5 * len(answers)
    return len(distinct) > 20 or median >= 8 or varied


def draft_codebook(
    export_path: str | PathLike[str],
    *,
    sheet: str | int = 0,
    suggest: Callable[[str], str | None] | None = None,
) -> str:
    """Draft a codebook from a survey export, for a researcher to review.

    Parameters
    ----------
    export_path
        A 问卷星 / 腾讯问卷 export or any table :func:`~analysis.survey.reading.read_survey`
        reads.
    sheet
        Sheet of an Excel export.
    suggest
        Given an item's question, a suggested dimension and the words that suggest it (e.g.
        ``"livelihood (养老服务)"``) or None; written as a comment beside ``dimension: TODO``.
        The command line passes one built on the default lexicon.

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
    The draft is a starting point: dimensions are not guessed, only suggested in comments
    (with ``suggest``), and open questions are told from covariates by their answers
    (many distinct, long, or nearly all different answers). It loads with
    :func:`~analysis.survey.codebook_file.load_codebook` only after every ``TODO``
    dimension has been filled in.
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
            answered = values[~values.map(_is_missing_like)].tolist()
            (texts if _is_open_text(answered) else covariates).append(col)
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
        hint = suggest(col) if suggest is not None else None
        if hint:
            note = f"{note}; suggested: {hint}" if note else f"  # suggested: {hint}"
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
