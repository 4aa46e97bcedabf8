"""Calibrate a lexicon's term weights on labelled passages: how often a term's hit is right.

A hand-written lexicon gives every term a weight by judgement (1, or 0.5 for generic words).
On real documents some terms are nearly always right (业主委员会 in a passage about owners'
committees) and some mostly fire where a passage is about something else (绿化 in a
regulation's list of duties, 为人民服务 in a rallying sentence). :func:`calibrate_lexicon`
counts, for every term of every dimension, the labelled passages it hits and the share of
them coded with that dimension, and scales the hand weight by that share:

    precision = (right + strength * 0.5) / (passages + strength)
    weight    = hand weight * precision / 0.5

A term right half the time keeps its hand weight; one always right doubles it; one never
right falls towards 0. ``strength`` pseudo-passages at one half shrink the precision of rare
terms towards one half, so a term seen once moves little and a term never seen keeps its
hand weight. Terms stay in their dimension: calibration weighs the evidence, it does not
move words between dimensions, so every hit still means what the lexicon's authors wrote.

The calibration is plain data (:meth:`LexiconCalibration.write`: one CSV row per term) that a
YAML lexicon names under ``calibration:``; the reader applies it and refuses one whose hand
weights no longer match the file (the lexicon was edited since: re-run the calibration).
Calibrate on development passages only, and report accuracy on documents it never saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.text.calibration_file import COLUMNS, apply_calibration, read_calibration

if TYPE_CHECKING:
    from collections.abc import Callable

    from analysis.text.features import LexiconEvidence
    from analysis.text.lexicon import Lexicon
    from analysis.text.segment import Segmenter

__all__ = [
    "LexiconCalibration",
    "apply_calibration",
    "calibrate_lexicon",
    "calibrated_within_folds",
    "read_calibration",
]
_CHANCE = 0.5
# weights are written with 4 decimals: enough to keep labels, short enough to read
_DECIMALS = 4


@dataclass(frozen=True)
class LexiconCalibration:
    """Calibrated weights and how they were obtained.

    Attributes
    ----------
    lexicon : Lexicon
        The lexicon with calibrated weights (same terms, phrases, cues and version).
    table : pandas.DataFrame
        One row per (dimension, term): ``hand_weight``, ``passages`` (labelled passages it
        hits), ``right`` (of those, coded with its dimension) and the calibrated ``weight``.
    strength : float
        Pseudo-passages at one half added to every term's count.
    """

    lexicon: Lexicon
    table: pd.DataFrame
    strength: float

    def write(self, path: str | PathLike[str]) -> Path:
        """Write :attr:`table` as UTF-8 CSV (the file a YAML lexicon names as ``calibration``)."""
        path = Path(path)
        self.table[COLUMNS].to_csv(path, index=False, lineterminator="\n")
        return path


def calibrate_lexicon(
    lexicon: Lexicon,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    strength: float = 1.0,
    segmenter: Segmenter | None = None,
) -> LexiconCalibration:
    """Scale each term's weight by how often its hits are right on labelled passages.

    Parameters
    ----------
    lexicon
        The hand-weighted lexicon (its current weights are the starting point).
    texts, labels
        Labelled passages: a label is a dimension id or ``none`` (any other value counts as
        not the term's dimension).
    strength
        Pseudo-passages at precision one half added to every term (see the module text).
    segmenter
        As in :func:`~analysis.text.score.score_texts`.

    Returns
    -------
    LexiconCalibration

    Examples
    --------
    >>> cal = calibrate_lexicon(default_lexicon(), dev_texts, dev_labels)  # doctest: +SKIP
    >>> cal.write("my-lexicon.calibration.csv")  # doctest: +SKIP
    """
    from analysis.text.features import simplified
    from analysis.text.score import explain

    texts = [str(t) for t in texts]
    labels = [str(v) for v in labels]
    if len(texts) != len(labels):
        raise InputError(f"got {len(texts)} passages but {len(labels)} labels")
    if not strength > 0:
        raise InputError(f"strength must be a positive number of pseudo-passages, got {strength}")
    ids = [f"p{i}" for i in range(len(texts))]
    hits = explain(
        pd.DataFrame({"doc_id": ids, "text": [simplified(t) for t in texts]}),
        lexicon,
        segmenter=segmenter,
        context=0,
    )
    label_of = dict(zip(ids, labels, strict=True))
    # a passage counts once per term, however often the term recurs in it
    seen = hits[["doc_id", "dimension", "term"]].drop_duplicates()
    pairs = zip(seen["doc_id"], seen["dimension"], strict=True)
    seen = seen.assign(right=[label_of[d] == dim for d, dim in pairs])
    counts = seen.groupby(["dimension", "term"]).agg(
        passages=("right", "size"), right=("right", "sum")
    )
    terms = lexicon.to_frame()
    table = (
        terms.loc[terms["kind"] == "term", ["dimension", "term", "weight"]]
        .rename(columns={"weight": "hand_weight"})
        .reset_index(drop=True)
    )
    found = counts.reindex(pd.MultiIndex.from_frame(table[["dimension", "term"]]))
    table["passages"] = found["passages"].fillna(0).astype(int).to_numpy()
    table["right"] = found["right"].fillna(0).astype(int).to_numpy()
    precision = (table["right"] + strength * _CHANCE) / (table["passages"] + strength)
    table["weight"] = np.round(table["hand_weight"] * precision / _CHANCE, _DECIMALS)
    return LexiconCalibration(apply_calibration(lexicon, table), table, float(strength))


def calibrated_within_folds(
    lexicon: Lexicon, texts: Sequence[str], labels: Sequence[str], *, strength: float = 1.0
) -> Callable[[np.ndarray], LexiconEvidence]:
    """Evidence for cross-validation that no held-out label has shaped.

    Returns a function of a fold's training rows that calibrates ``lexicon`` on those rows
    only and gives the lexicon evidence of every text with it: pass it as ``evidence`` to
    :func:`~analysis.text.evaluation.grouped_cv_predict` or
    :func:`~analysis.text.evaluation.learning_curve`. Results are cached by training rows,
    so a grid over the same folds calibrates each fold once.
    """
    from analysis.text.features import lexicon_evidence

    texts = [str(t) for t in texts]
    labels = np.asarray([str(v) for v in labels], dtype=object)
    cache: dict[bytes, LexiconEvidence] = {}

    def evidence_for(train: np.ndarray) -> LexiconEvidence:
        rows = np.asarray(train, dtype=np.int64)
        key = rows.tobytes()
        if key not in cache:
            cal = calibrate_lexicon(
                lexicon, [texts[i] for i in rows], labels[rows], strength=strength
            )
            cache[key] = lexicon_evidence(texts, cal.lexicon)
        return cache[key]

    return evidence_for
