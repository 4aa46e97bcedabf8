"""Check the labels on a study's own documents: draw passages, have them coded, compare.

The figures in ``docs/validation.md`` hold for the public documents they were measured on. A
study that reports dimension labels of its own documents (a district's work reports, a
community's notices, residents' messages) should show that they hold there too: draw passages
of its documents, have two people code them blind by written rules, and compare the codings
with each other (agreement) and with the classifier (accuracy). The steps:

1. :func:`coding_sample` cuts the documents into passages (the unit the classifier was
   validated on), labels them and draws a sample, stratified by the classifier's label so
   that a rare label still gets passages enough for a precision. Each passage carries its
   weight (the passages of its stratum per passage drawn), so that the figures can be given
   for all the passages, not only for the sample. Keep the sample: it is the key.
2. :func:`write_coding_sheet` writes a workbook for a coder: the passages, empty ``label``,
   ``secondary`` and ``reason`` columns with drop-down lists, the labels and what they cover
   on a second sheet, and nothing of the classifier's output (coders code blind).
3. :func:`read_coding_sheet` reads a filled-in workbook (or CSV) and checks every label,
   naming file, row, column and value of each problem.
4. :func:`~analysis.text.coding_check.compare_codings` gives the agreement of two coders
   (Cohen's kappa, Krippendorff's alpha) and the passages they disagree on, to adjudicate;
   :func:`~analysis.text.coding_check.check_codings` scores the classifier against the final
   codings: per-label precision, recall and F1, the confusion table and macro-F1 with a 95%
   interval from resampling whole documents, on the sample and weighted to all passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.core.dimensions import SERVICE_FIVE, Framework
from analysis.core.errors import InputError, location
from analysis.text.context import CONTEXT_CHARS
from analysis.text.passages import split_passages

if TYPE_CHECKING:
    from analysis.text.classifier import DimensionClassifier

__all__ = ["coding_sample", "read_coding_sheet", "write_coding_sheet"]

#: The label of a passage about no dimension, and the words a coder may write for it.
NONE = "none"
_NONE_WORDS = ("none", "无", "无关", "不属于任何维度")
_NONE_DESCRIPTION = (
    "不属于任何维度：程序、法律依据、职责分工、排名表彰、礼仪性语句等",
    "About no dimension: procedure, legal basis, who is responsible, rankings and awards, ceremony",
)
#: Columns of the sheet a coder fills in; nothing of the classifier's output is among them.
SHEET_COLUMNS = ("passage_id", "doc_id", "text", "label", "secondary", "reason")

PathArg = str | PathLike[str]


def coding_sample(
    docs: pd.DataFrame | Sequence[str],
    n: int = 300,
    *,
    method: str = "ensemble",
    stratify: bool = True,
    per_doc: int | None = None,
    seed: int = 0,
    classifier: DimensionClassifier | None = None,
    id_column: str = "doc_id",
    text_column: str = "text",
    min_chars: int = 30,
    max_chars: int = 220,
    context: bool = True,
) -> pd.DataFrame:
    """Draw passages of a study's documents for people to code.

    Parameters
    ----------
    docs
        Frame with an id and a text column (as from :func:`~analysis.read_texts`), or texts.
    n
        Passages to draw (fewer when the documents have fewer).
    method
        The :func:`~analysis.classify_texts` method whose labels are checked and stratified on.
    stratify
        Draw the same number of passages from every label the classifier gives (a label
        with fewer passages gives all of them, the rest going to the others), so a rare
        label gets passages enough for a precision. ``False``: a simple random sample.
    per_doc
        At most this many passages from one document (``None``: no cap), so that one long
        report cannot fill the sample. The weights treat the draw within a stratum as simple
        random, which it nearly is while few documents reach the cap.
    seed
        Seed of the draw: the same documents and seed give the same sample.
    classifier
        A fitted classifier (default: the packaged one).
    id_column, text_column
        Columns of ``docs``.
    min_chars, max_chars
        Passage lengths, as in :func:`~analysis.split_passages`.
    context
        Classify each passage with the text around it in its document, as
        ``classify_texts(..., by_passage=True)`` does in a study's reports, so the check is
        of the labels the reports use (``False``: each passage alone).

    Returns
    -------
    pandas.DataFrame
        One row per passage drawn, in a random order (the order of the coding sheet):
        ``passage_id`` (``c0001``, ...), ``doc_id``, ``passage``, ``start``, ``end``,
        ``text``, ``stratum``, ``weight`` (passages of the stratum per passage drawn from
        it), ``predicted`` and ``probability`` (the classifier's label and its probability).
        ``attrs["coding_sample"]`` records the draw. Save it (``to_csv``): it is the key
        that :func:`~analysis.text.coding_check.check_codings` reads the codings against.

    Raises
    ------
    InputError
        ``n`` not a positive whole number, ``per_doc`` below 1, or documents without a
        passage of ``min_chars`` characters.
    """
    from analysis.text.classify import classify_texts

    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError(f"coding_sample: n must be a positive whole number, got {n!r}")
    if per_doc is not None and (isinstance(per_doc, bool) or per_doc < 1):
        raise InputError(f"coding_sample: per_doc must be at least 1 or None, got {per_doc!r}")
    passages = split_passages(
        docs,
        id_column=id_column,
        text_column=text_column,
        min_chars=min_chars,
        max_chars=max_chars,
        context_chars=CONTEXT_CHARS,
    )
    if passages.empty:
        raise InputError(
            f"coding_sample: the documents have no passage of at least {min_chars} characters"
        )
    labelled = classify_texts(
        passages[["doc_id", "text", "context"]],
        method=method,
        classifier=classifier,
        n_evidence=0,
        context=context,
    )
    passages["predicted"] = labelled["label"].to_numpy()
    passages["probability"] = labelled["probability"].to_numpy()
    passages["stratum"] = passages["predicted"] if stratify else "all"
    sizes = passages["stratum"].value_counts().sort_index()
    drawn = _draw(passages, n, per_doc, np.random.default_rng(seed))
    sample = passages.iloc[drawn].reset_index(drop=True)
    taken = sample["stratum"].value_counts()
    sample["weight"] = [sizes[s] / taken[s] for s in sample["stratum"]]
    width = max(4, len(str(len(sample))))
    sample.insert(0, "passage_id", [f"c{k + 1:0{width}d}" for k in range(len(sample))])
    columns = ["passage_id", "doc_id", "passage", "start", "end", "text", "stratum", "weight"]
    sample = sample[[*columns, "predicted", "probability"]]
    sample.attrs["coding_sample"] = {
        "population": len(passages),
        "documents": int(passages["doc_id"].nunique()),
        "drawn": len(sample),
        "strata": {
            str(s): {"passages": int(sizes[s]), "drawn": int(taken.get(s, 0))} for s in sizes.index
        },
        "method": method,
        "stratify": stratify,
        "context": bool(labelled.attrs.get("classifier", {}).get("context")),
        "per_doc": per_doc,
        "seed": seed,
        "classifier": labelled.attrs.get("classifier", {}),
    }
    return sample


def _equal_allocation(n: int, sizes: pd.Series) -> dict[str, int]:
    """``n`` passages shared equally among strata; a stratum too small gives all it has and
    the rest is shared among the others (remainders to the strata first in order)."""
    quota = {str(s): 0 for s in sizes.index}
    room = {str(s): int(v) for s, v in sizes.items()}
    left = n
    while left > 0:
        open_ = [s for s in quota if quota[s] < room[s]]
        share, extra = divmod(left, len(open_))
        for i, s in enumerate(open_):
            add = min(share + (i < extra), room[s] - quota[s])
            quota[s] += add
            left -= add
    return quota


def _draw(
    passages: pd.DataFrame, n: int, per_doc: int | None, rng: np.random.Generator
) -> list[int]:
    """Rows drawn: passages in one random order, each taken while its stratum's quota and
    its document's cap allow. Quotas are equal shares (:func:`_equal_allocation`); what a
    stratum could not give, for want of passages or because their documents reached the
    cap, is shared again among the strata that still can."""
    strata = passages["stratum"].astype(str).to_numpy()
    doc_ids = passages["doc_id"].to_numpy()
    order = rng.permutation(len(passages))
    taken = np.zeros(len(passages), dtype=bool)
    per = dict.fromkeys(doc_ids.tolist(), 0)
    rows: list[int] = []

    def below_cap(i: int) -> bool:
        return per_doc is None or per[doc_ids[i]] < per_doc

    while len(rows) < n:
        free = [i for i in order if not taken[i] and below_cap(i)]
        if not free:
            break
        room = pd.Series(strata[free]).value_counts().sort_index()
        need = _equal_allocation(min(n - len(rows), len(free)), room)
        before = len(rows)
        for i in free:
            if need[strata[i]] > 0 and below_cap(i):
                rows.append(int(i))
                taken[i] = True
                need[strata[i]] -= 1
                per[doc_ids[i]] += 1
        if len(rows) == before:
            break
    return rows


def label_codes(framework: Framework) -> list[str]:
    return [*framework.ids, NONE]


def write_coding_sheet(
    sample: pd.DataFrame,
    path: PathArg,
    *,
    framework: Framework = SERVICE_FIVE,
    mask: bool = True,
) -> Path:
    """Write the workbook a coder fills in.

    Sheet ``coding``: ``passage_id``, ``doc_id``, ``text`` and the empty columns ``label``,
    ``secondary`` (a second dimension the passage also serves, or empty) and ``reason``
    (one line), the label columns with a drop-down list of the codes. Sheet ``labels``: each
    code with its Chinese and English label and what it covers. The classifier's labels,
    probabilities, strata and weights are left out, so the coder codes blind; text that a
    spreadsheet would run as a formula is neutralised, and phone numbers, ID numbers and
    e-mail addresses are masked (a label never depends on them; the key keeps the text as
    it was). The same sample gives the same bytes.

    Parameters
    ----------
    sample
        From :func:`coding_sample` (or any frame with ``passage_id``, ``doc_id``, ``text``).
    path
        The ``.xlsx`` to write.
    framework
        The dimensions coded (default: the service five), plus ``none``.
    mask
        Mask phone numbers, ID numbers and e-mail addresses in the texts
        (:func:`~analysis.report.privacy.mask_pii`; they keep their length).

    Returns
    -------
    pathlib.Path
    """
    missing = [c for c in ("passage_id", "doc_id", "text") if c not in sample.columns]
    if missing:
        raise InputError(f"write_coding_sheet: the sample lacks the columns {missing}")
    sheet = (
        sample[["passage_id", "doc_id", "text"]]
        .astype(str)
        .assign(label="", secondary="", reason="")
    )
    return write_sheet(sheet, Path(path), framework, mask=mask)


def write_sheet(sheet: pd.DataFrame, path: Path, framework: Framework, *, mask: bool) -> Path:
    """``sheet`` as the ``coding`` sheet of a workbook, drop-down lists on its ``label`` and
    ``secondary`` columns, the codes and what they cover on a sheet ``labels``; with
    ``mask``, personal numbers in its ``text`` masked."""
    from analysis.report.privacy import mask_pii
    from analysis.report.render import write_xlsx

    if mask:
        sheet = sheet.assign(text=[mask_pii(t) for t in sheet["text"]])

    codes = label_codes(framework)
    labels = pd.DataFrame(
        {
            "code": codes,
            "label_zh": [*(d.label_zh for d in framework), "不属于任何维度"],
            "label_en": [*(d.label_en for d in framework), "None"],
            "covers": [*(d.description for d in framework), " / ".join(_NONE_DESCRIPTION)],
        }
    )
    return write_xlsx(
        {"coding": sheet, "labels": labels},
        path,
        choices={"coding": {"label": codes, "secondary": codes}},
    )


def _aliases(framework: Framework) -> dict[str, str]:
    """What a coder may write for each code: the code, its Chinese or English label."""
    out = {w.lower(): NONE for w in _NONE_WORDS}
    for d in framework:
        out.update({d.id.lower(): d.id, d.label_zh.lower(): d.id, d.label_en.lower(): d.id})
    return out


def read_coding_sheet(
    path: PathArg | pd.DataFrame,
    *,
    framework: Framework = SERVICE_FIVE,
    sheet: str | int = "coding",
) -> pd.DataFrame:
    """Read a coder's filled-in sheet and check every label.

    Parameters
    ----------
    path
        The workbook from :func:`write_coding_sheet` after coding (or a CSV with the same
        columns, or a frame).
    framework
        The dimensions coded, plus ``none``. A label may be written as the code
        (``reform``), its Chinese or English label (``服务改革``); ``none`` also as 无.
    sheet
        Sheet of a workbook (ignored for a CSV).

    Returns
    -------
    pandas.DataFrame
        ``passage_id``, ``label``, ``secondary`` (empty when none), ``reason``, one row per
        passage in sheet order.

    Raises
    ------
    InputError
        A missing ``passage_id`` or ``label`` column, a passage not coded, a label that is
        not a code, a passage listed twice: every problem is in the error's ``problems``
        (file, row, column, value, problem), the first ten in its message
        (:meth:`~analysis.core.errors.InputError.from_problems`).
    """
    from analysis.io.tabular import read_raw_table

    if isinstance(path, pd.DataFrame):
        raw = read_raw_table(path.astype(str).replace({"nan": "", "None": ""}))
        name, rows, sheet_used = "<frame>", np.arange(len(path)) + 2, None
    else:
        is_csv = Path(path).suffix.lower() in {".csv", ".txt", ".tsv"}
        raw = read_raw_table(path, sheet=0 if is_csv else sheet)
        name, rows, sheet_used = Path(path).name, raw.rows, raw.sheet
    frame = raw.frame
    for column in ("passage_id", "label"):
        if column not in frame.columns:
            raise InputError(
                f"{location(name, sheet=sheet_used)}: no column {column!r}; expected the "
                f"columns of a coding sheet ({', '.join(SHEET_COLUMNS)})",
                file=name,
                column=column,
            )
    aliases = _aliases(framework)
    codes = ", ".join(label_codes(framework))
    text = {c: frame[c].astype(str).str.strip() if c in frame else None for c in SHEET_COLUMNS}
    problems: list[dict[str, object]] = []

    def problem(row: int, column: str, value: str, what: str) -> None:
        problems.append(
            {"sheet": sheet_used, "row": row, "column": column, "value": value, "problem": what}
        )

    labels, secondaries = [], []
    seen: set[str] = set()
    for k, (pid, label) in enumerate(zip(text["passage_id"], text["label"], strict=True)):
        row = int(rows[k])
        if not pid:
            problem(row, "passage_id", "", "no passage id")
        elif pid in seen:
            problem(row, "passage_id", pid, "this passage is listed twice")
        seen.add(pid)
        code = aliases.get(label.lower())
        if not label:
            problem(row, "label", "", f"not coded; expected one of {codes}")
        elif code is None:
            problem(row, "label", label, f"not a label; expected one of {codes}")
        second = "" if text["secondary"] is None else text["secondary"].iloc[k]
        second_code = aliases.get(second.lower(), "") if second else ""
        if second and not second_code:
            problem(row, "secondary", second, f"not a label; expected empty or one of {codes}")
        labels.append(code or "")
        # a secondary label that repeats the label, or is none, adds nothing
        secondaries.append("" if second_code in (code, NONE) else second_code)
    if problems:
        raise InputError.from_problems(problems, file=name, what="coding sheet problems")
    reason = text["reason"] if text["reason"] is not None else pd.Series([""] * len(frame))
    out = pd.DataFrame(
        {
            "passage_id": text["passage_id"].to_numpy(),
            "label": labels,
            "secondary": secondaries,
            "reason": reason.to_numpy(),
        }
    )
    out.attrs["source"] = {"file": name, "sha256": getattr(raw, "sha256", None)}
    return out
