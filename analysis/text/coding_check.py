"""Compare codings of a study's own passages: two coders with each other, the classifier with both.

:func:`compare_codings` gives the agreement of two coders who coded the same passages blind
(:func:`~analysis.text.coding.write_coding_sheet`) and the passages to adjudicate;
:func:`check_codings` scores the classifier's labels (kept in the sample drawn by
:func:`~analysis.text.coding.coding_sample`) against the final codings, on the sample and
weighted to every passage the sample was drawn from.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.dimensions import SERVICE_FIVE, Framework
from analysis.core.errors import InputError, location
from analysis.stats.agreement import cohen_kappa, krippendorff_alpha
from analysis.text.coding import label_codes, read_coding_sheet, write_sheet
from analysis.text.evaluation import bootstrap_macro_f1, class_report, confusion_table

__all__ = [
    "CodingAgreement",
    "CodingCheck",
    "check_codings",
    "compare_codings",
    "read_key",
    "write_adjudication_sheet",
]

PathArg = str | PathLike[str]


@dataclass(frozen=True)
class CodingAgreement:
    """Agreement of two coders on the same passages; every figure comes from :attr:`codings`.

    Attributes
    ----------
    codings : pandas.DataFrame
        Both codings side by side (``passage_id``, ``label_a``, ``secondary_a``,
        ``reason_a``, the same for ``b``).
    """

    codings: pd.DataFrame

    @property
    def n(self) -> int:
        """Passages both coded."""
        return len(self.codings)

    @property
    def agreement(self) -> float:
        """Share of passages with the same label."""
        return float((self.codings["label_a"] == self.codings["label_b"]).mean())

    @property
    def kappa(self) -> float:
        """Cohen's kappa."""
        return cohen_kappa(self.codings["label_a"].tolist(), self.codings["label_b"].tolist())

    @property
    def alpha(self) -> float:
        """Krippendorff's alpha (nominal)."""
        return krippendorff_alpha(
            self.codings["label_a"].tolist(), self.codings["label_b"].tolist()
        )

    @property
    def disagreements(self) -> pd.DataFrame:
        """``passage_id``, ``label_a``, ``label_b``, ``reason_a``, ``reason_b``: the passages
        to adjudicate."""
        differ = self.codings["label_a"] != self.codings["label_b"]
        columns = ["passage_id", "label_a", "label_b", "reason_a", "reason_b"]
        return self.codings.loc[differ, columns].reset_index(drop=True)

    def final(self, adjudicated: pd.DataFrame | None = None) -> pd.DataFrame:
        """The final label of every passage: the agreed one, or the adjudicator's.

        ``adjudicated`` has ``passage_id`` and ``label`` for (at least) every disagreement,
        for example :func:`read_coding_sheet` of a sheet of the disagreements. Returns
        ``passage_id``, ``label`` and ``adjudication`` (``agreed`` or ``adjudicated``).
        """
        out = self.codings[["passage_id", "label_a"]].rename(columns={"label_a": "label"})
        out["adjudication"] = "agreed"
        open_ids = set(self.disagreements["passage_id"])
        if not open_ids:
            return out
        decided = (
            {}
            if adjudicated is None
            else dict(zip(adjudicated["passage_id"], adjudicated["label"], strict=True))
        )
        undecided = sorted(open_ids - set(decided))
        if undecided:
            raise InputError(
                f"{len(undecided)} disagreements have no adjudicated label, first "
                f"{undecided[:5]}; pass a frame with passage_id and label for each"
            )
        at = out["passage_id"].isin(open_ids)
        out.loc[at, "label"] = out.loc[at, "passage_id"].map(decided)
        out.loc[at, "adjudication"] = "adjudicated"
        return out


def write_adjudication_sheet(
    agreement: CodingAgreement,
    sample: pd.DataFrame,
    path: PathArg,
    *,
    framework: Framework = SERVICE_FIVE,
    mask: bool = True,
) -> Path:
    """Write the disagreements for an adjudicator: each passage's text, both coders' labels
    and reasons, and empty ``label``, ``secondary`` and ``reason`` columns to decide in
    (read it back with :func:`~analysis.text.coding.read_coding_sheet` and pass it to
    :meth:`CodingAgreement.final`).

    Parameters
    ----------
    agreement
        From :func:`compare_codings`.
    sample
        The key from :func:`~analysis.text.coding.coding_sample` (for the texts).
    path
        The ``.xlsx`` to write.
    framework
        The dimensions coded, plus ``none``.
    mask
        Mask phone numbers, ID numbers and e-mail addresses in the texts, as
        :func:`~analysis.text.coding.write_coding_sheet` does.
    """
    texts = sample.assign(passage_id=sample["passage_id"].astype(str)).set_index("passage_id")
    open_ = agreement.disagreements.astype({"passage_id": str})
    missing = sorted(set(open_["passage_id"]) - set(texts.index))
    if missing:
        raise InputError(
            f"write_adjudication_sheet: {len(missing)} disagreements are not in the sample, "
            f"first {missing[:5]}"
        )
    sheet = pd.DataFrame(
        {
            "passage_id": open_["passage_id"],
            "doc_id": texts.loc[open_["passage_id"], "doc_id"].astype(str).to_numpy(),
            "text": texts.loc[open_["passage_id"], "text"].astype(str).to_numpy(),
            "label_a": open_["label_a"],
            "reason_a": open_["reason_a"],
            "label_b": open_["label_b"],
            "reason_b": open_["reason_b"],
            "label": "",
            "secondary": "",
            "reason": "",
        }
    )
    return write_sheet(sheet, Path(path), framework, mask=mask)


def compare_codings(a: pd.DataFrame | PathArg, b: pd.DataFrame | PathArg) -> CodingAgreement:
    """Agreement of two coders who coded the same passages blind.

    Parameters
    ----------
    a, b
        Codings from :func:`read_coding_sheet` (or the sheets' paths).

    Returns
    -------
    CodingAgreement

    Raises
    ------
    InputError
        The two codings are not of the same passages.
    """
    a = a if isinstance(a, pd.DataFrame) else read_coding_sheet(a)
    b = b if isinstance(b, pd.DataFrame) else read_coding_sheet(b)
    only_a = sorted(set(a["passage_id"]) - set(b["passage_id"]))
    only_b = sorted(set(b["passage_id"]) - set(a["passage_id"]))
    if only_a or only_b:
        raise InputError(
            "compare_codings: the two codings are not of the same passages "
            f"(only in the first: {len(only_a)}, e.g. {only_a[:3]}; only in the second: "
            f"{len(only_b)}, e.g. {only_b[:3]})"
        )
    both = a.merge(b, on="passage_id", suffixes=("_a", "_b"))
    for side in ("a", "b"):
        for column in ("secondary", "reason"):
            if f"{column}_{side}" not in both:
                both[f"{column}_{side}"] = ""
    columns = ["passage_id", "label_a", "secondary_a", "reason_a", "label_b", "secondary_b"]
    both = both[[*columns, "reason_b"]]
    return CodingAgreement(both)


@dataclass(frozen=True)
class CodingCheck:
    """The classifier's labels against people's codings of a study's own passages.

    Attributes
    ----------
    n, documents : int
        Coded passages and their documents.
    macro_f1, ci95 : float, tuple of float
        Macro-F1 on the coded sample, with a 95% BCa interval from resampling documents.
    weighted_macro_f1, weighted_ci95 : float, tuple of float
        The same with each passage weighted by its ``weight``: the estimate for all the
        passages the sample was drawn from (equal to the sample's for a simple sample).
    accuracy, weighted_accuracy : float
        Share of passages labelled as coded, on the sample and weighted.
    report, weighted_report : pandas.DataFrame
        Precision, recall, F1 and support per label (:func:`class_report`).
    confusion : pandas.DataFrame
        Passages by coded label (rows) and predicted label (columns).
    shares : pandas.DataFrame
        Per label: ``classifier`` (its share of the passages by the classifier's labels) and
        ``estimated`` (by the coders' labels, each coded passage weighted), with a 95%
        percentile interval from resampling documents (``ci95_low``, ``ci95_high``). With a
        sample stratified by the classifier's label and coded whole, ``estimated`` is the
        design-unbiased estimate of each label's share of all the passages: the figure to
        report for how much of a study's texts goes to a dimension, corrected for the
        classifier's errors.
    """

    n: int
    documents: int
    macro_f1: float
    ci95: tuple[float, float]
    weighted_macro_f1: float
    weighted_ci95: tuple[float, float]
    accuracy: float
    weighted_accuracy: float
    report: pd.DataFrame
    weighted_report: pd.DataFrame
    confusion: pd.DataFrame
    shares: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One row per figure (``sample`` and ``all passages``), for a methods section."""
        return pd.DataFrame(
            {
                "macro_f1": [self.macro_f1, self.weighted_macro_f1],
                "ci95_low": [self.ci95[0], self.weighted_ci95[0]],
                "ci95_high": [self.ci95[1], self.weighted_ci95[1]],
                "accuracy": [self.accuracy, self.weighted_accuracy],
                "passages": [self.n, self.n],
                "documents": [self.documents, self.documents],
            },
            index=pd.Index(["sample", "all passages"], name="figure"),
        )


def check_codings(
    sample: pd.DataFrame | PathArg,
    codings: pd.DataFrame,
    *,
    framework: Framework = SERVICE_FIVE,
    n_boot: int = 2000,
    seed: int = 0,
) -> CodingCheck:
    """Score the classifier's labels against the final codings of the sample's passages.

    Parameters
    ----------
    sample
        The key from :func:`coding_sample` (the frame, or the CSV it was saved to).
    codings
        ``passage_id`` and ``label``: :meth:`CodingAgreement.final`, or one coder's
        :func:`read_coding_sheet`. Passages of the sample left uncoded are left out.
    framework
        The dimensions coded, plus ``none``.
    n_boot, seed
        Bootstrap resamples of documents and their seed.

    Returns
    -------
    CodingCheck

    Raises
    ------
    InputError
        The key lacks its columns, or a coded passage is not in the key.
    """
    key = sample if isinstance(sample, pd.DataFrame) else read_key(sample)
    need = ["passage_id", "doc_id", "predicted", "weight"]
    missing = [c for c in need if c not in key.columns]
    if missing:
        raise InputError(
            f"check_codings: the sample lacks the columns {missing}; pass the frame from "
            "coding_sample or the CSV it was saved to"
        )
    stray = sorted(set(codings["passage_id"].astype(str)) - set(key["passage_id"].astype(str)))
    if stray:
        raise InputError(
            f"check_codings: {len(stray)} coded passages are not in the sample, first "
            f"{stray[:5]}; were they coded from another sample's sheet?"
        )
    both = key.assign(passage_id=key["passage_id"].astype(str)).merge(
        codings[["passage_id", "label"]].astype({"passage_id": str}), on="passage_id"
    )
    if both.empty:
        raise InputError("check_codings: no passage of the sample is coded")
    labels = label_codes(framework)
    truth = both["label"].astype(str).to_numpy()
    pred = both["predicted"].astype(str).to_numpy()
    docs = both["doc_id"].astype(str).to_numpy()
    w = both["weight"].astype(float).to_numpy()
    f1, lo, hi = bootstrap_macro_f1(truth, pred, docs, labels, n_boot=n_boot, seed=seed)
    wf1, wlo, whi = bootstrap_macro_f1(
        truth, pred, docs, labels, n_boot=n_boot, seed=seed, weights=w
    )
    right = truth == pred
    return CodingCheck(
        n=len(both),
        documents=len(set(docs)),
        macro_f1=f1,
        ci95=(lo, hi),
        weighted_macro_f1=wf1,
        weighted_ci95=(wlo, whi),
        accuracy=float(right.mean()),
        weighted_accuracy=float(np.average(right, weights=w)),
        report=class_report(truth, pred, labels),
        weighted_report=class_report(truth, pred, labels, weights=w),
        confusion=confusion_table(truth, pred, labels),
        shares=_shares(truth, pred, docs, w, labels, n_boot=n_boot, seed=seed),
    )


def _shares(
    truth: np.ndarray,
    pred: np.ndarray,
    docs: np.ndarray,
    w: np.ndarray,
    labels: list[str],
    *,
    n_boot: int,
    seed: int,
) -> pd.DataFrame:
    """Weighted label shares by the classifier and by the coders, the latter with a
    percentile interval from resampling documents (each bringing all its passages)."""
    index = {label: k for k, label in enumerate(labels)}
    doc_ids, doc_of = np.unique(docs, return_inverse=True)
    coded = np.zeros((len(doc_ids), len(labels)))
    for d, t, wt in zip(doc_of, truth, w, strict=True):
        if t in index:
            coded[d, index[t]] += wt
    total = w.sum()
    rng = np.random.default_rng(seed)
    draws = coded[rng.integers(0, len(doc_ids), size=(n_boot, len(doc_ids)))].sum(axis=1)
    draws = draws / np.maximum(draws.sum(axis=1, keepdims=True), np.finfo(float).tiny)
    by_pred = pd.Series(w).groupby(np.asarray(pred)).sum()
    return pd.DataFrame(
        {
            "classifier": [by_pred.get(label, 0.0) / total for label in labels],
            "estimated": coded.sum(axis=0) / total,
            "ci95_low": np.quantile(draws, 0.025, axis=0),
            "ci95_high": np.quantile(draws, 0.975, axis=0),
        },
        index=pd.Index(labels, name="label"),
    )


def read_key(path: PathArg) -> pd.DataFrame:
    """A sample saved with ``to_csv`` (the key of :func:`check_codings`): read as text,
    weights as numbers."""
    from analysis.io.tabular import read_raw_table

    frame = read_raw_table(path).frame.astype(str)
    if "weight" in frame.columns:
        weight = pd.to_numeric(frame["weight"], errors="coerce")
        bad = np.flatnonzero(weight.isna().to_numpy() | (weight < 0).to_numpy())
        if len(bad):
            raise InputError(
                f"{location(path, row=int(bad[0]) + 2, column='weight')}: "
                f"{frame['weight'].iloc[bad[0]]!r} is not a weight (a non-negative number)",
                file=path,
                row=int(bad[0]) + 2,
                column="weight",
                value=frame["weight"].iloc[bad[0]],
            )
        frame["weight"] = weight
    return frame
