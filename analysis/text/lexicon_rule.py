"""The lexicon's own label rule: the best-supported dimension, or ``none`` below a learnt bar.

A passage of a regulation that names 主管部门 once, or a ceremonial sentence with one 群众, is
not about a dimension. :class:`LexiconRule` labels a text ``none`` unless its strongest
dimension has at least ``min_evidence`` (weighted hits plus ``subject_weight`` per subject
clause, see :mod:`analysis.text.features`) and at least ``min_density`` of it per 100
characters: one term in a long article of procedure is not enough. When the lexicon has
``none`` cues (根据……制定本条例, 本办法自……起施行 …), each cue match in a text takes ``cue_weight``
off its strongest dimension's evidence before both bars are applied. The bars and the cue
weight are chosen together on labelled passages to maximise macro-F1 over all labels,
``none`` included. Probabilities are calibrated on the same passages: the chance of ``none``
is a logistic function of the strongest dimension's evidence, its density, its share and
(with cues) log1p of the cue matches; the rest is divided among dimensions in proportion to
their evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.core.errors import InputError

if TYPE_CHECKING:
    from analysis.text.features import LexiconEvidence

__all__ = ["LexiconRule"]

NONE = "none"
_EVIDENCE_GRID = tuple(np.round(np.arange(0.0, 6.01, 0.25), 2))
_DENSITY_GRID = tuple(np.round(np.arange(0.0, 5.01, 0.25), 2))
_CUE_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0)


def _macro_f1(y: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    y_arr, p_arr = np.asarray(y), np.asarray(pred)
    f1s = []
    for label in labels:
        tp = np.sum((y_arr == label) & (p_arr == label))
        denom = np.sum(y_arr == label) + np.sum(p_arr == label)
        f1s.append(0.0 if denom == 0 else 2 * tp / denom)
    return float(np.mean(f1s))


class LexiconRule:
    """Label by the strongest dimension's evidence, ``none`` below the learnt bars.

    Parameters
    ----------
    dimensions
        Dimension ids, in the column order of the evidence arrays.
    min_evidence
        Evidence the strongest dimension needs (learnt by :meth:`fit`).
    min_density
        Evidence per 100 characters it needs (learnt by :meth:`fit`).
    subject_weight
        Evidence one subject clause adds.
    cue_weight
        Evidence one ``none`` cue match takes off the strongest dimension (learnt by
        :meth:`fit` when the evidence has cues; 0 otherwise).
    none_coef
        Intercept and slopes (on log1p of the strongest evidence, of its density, on its
        share and, when there is a fifth value, on log1p of the cue matches) of the
        calibrated probability of ``none`` (learnt by :meth:`fit`).
    """

    def __init__(
        self,
        dimensions: Sequence[str],
        *,
        min_evidence: float = 1.0,
        min_density: float = 0.0,
        subject_weight: float = 1.0,
        cue_weight: float = 0.0,
        none_coef: Sequence[float] = (0.0, -1.0, 0.0, 0.0),
    ) -> None:
        self.dimensions = tuple(dimensions)
        self.min_evidence = float(min_evidence)
        self.min_density = float(min_density)
        self.subject_weight = float(subject_weight)
        self.cue_weight = float(cue_weight)
        self.none_coef = tuple(float(c) for c in none_coef)

    @property
    def classes(self) -> tuple[str, ...]:
        """Labels in the column order of :meth:`predict_proba`: dimensions, then ``none``."""
        return (*self.dimensions, NONE)

    def _arrays(self, evidence: LexiconEvidence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if tuple(evidence.dimensions) != self.dimensions:
            raise InputError(
                f"evidence has dimensions {list(evidence.dimensions)}, the rule "
                f"{list(self.dimensions)}"
            )
        combined = evidence.evidence(self.subject_weight)
        chars = np.maximum(np.asarray(evidence.n_chars, dtype=float), 1.0)
        cues = evidence.cues
        cues = np.zeros(len(combined)) if cues is None else np.asarray(cues, dtype=float)
        return combined, chars, cues

    @staticmethod
    def _decide(
        combined: np.ndarray,
        chars: np.ndarray,
        dims: np.ndarray,
        t_evidence: float,
        t_density: float,
        discount: np.ndarray | float = 0.0,
    ) -> np.ndarray:
        """Label rows: ``discount`` (cue weight times cue matches) comes off the strongest."""
        if not len(combined):
            return np.zeros(0, dtype=object)
        raw = combined.max(axis=1)
        strongest = raw - discount
        keep = (raw > 0) & (strongest >= t_evidence) & (100 * strongest / chars >= t_density)
        return np.where(keep, dims[combined.argmax(axis=1)], NONE)

    def predict(self, evidence: LexiconEvidence) -> np.ndarray:
        """Labels (ties go to the dimension listed first)."""
        combined, chars, cues = self._arrays(evidence)
        dims = np.asarray(self.dimensions, dtype=object)
        discount = self.cue_weight * cues if self.cue_weight else 0.0
        return self._decide(combined, chars, dims, self.min_evidence, self.min_density, discount)

    @staticmethod
    def _none_features(
        combined: np.ndarray, chars: np.ndarray, cues: np.ndarray | None = None
    ) -> np.ndarray:
        strongest = combined.max(axis=1)
        total = combined.sum(axis=1)
        share = np.divide(strongest, total, out=np.zeros_like(total), where=total > 0)
        cols = [np.log1p(strongest), np.log1p(100 * strongest / chars), share]
        if cues is not None:
            cols.append(np.log1p(cues))
        return np.column_stack(cols)

    def predict_proba(self, evidence: LexiconEvidence) -> np.ndarray:
        """Calibrated probabilities, columns in the order of :attr:`classes`."""
        combined, chars, cues = self._arrays(evidence)
        if not len(combined):
            return np.zeros((0, len(self.classes)))
        # a rule calibrated with cues has a fifth coefficient; an older one has four
        x = self._none_features(combined, chars, cues if len(self.none_coef) > 4 else None)
        b = np.asarray(self.none_coef)
        # numpy multiplies a single row by another path than a matrix (the last bits
        # differ): a text alone is computed as one of two rows, so its probabilities do
        # not depend on the texts beside it
        z = (np.vstack([x, x]) @ b[1:])[:1] if len(x) == 1 else x @ b[1:]
        p_none = 1.0 / (1.0 + np.exp(-(b[0] + z)))
        # a little mass on every dimension so that no label is ever impossible
        smoothed = combined + 0.05
        shares = smoothed / smoothed.sum(axis=1, keepdims=True)
        return np.column_stack([shares * (1.0 - p_none)[:, None], p_none])

    def fit(self, evidence: LexiconEvidence, y: Sequence[str]) -> LexiconRule:
        """Learn both bars (best macro-F1 over a grid) and the ``none`` calibration."""
        from sklearn.linear_model import LogisticRegression

        combined, chars, cues = self._arrays(evidence)
        y = [str(v) for v in y]
        if len(y) != len(combined):
            raise InputError(f"got {len(combined)} rows of evidence but {len(y)} labels")
        labels = sorted(set(y) | {NONE})
        dims = np.asarray(self.dimensions, dtype=object)
        has_cues = getattr(evidence, "cues", None) is not None
        # without cue matches the cue weight cannot change a label: leave it at 0
        cue_grid = _CUE_GRID if has_cues and cues.any() else (0.0,)
        scored = [
            (
                _macro_f1(y, self._decide(combined, chars, dims, te, td, cw * cues), labels),
                -cw,
                -te,
                -td,
                te,
                td,
                cw,
            )
            for cw in cue_grid
            for te in _EVIDENCE_GRID
            for td in _DENSITY_GRID
        ]
        best = max(scored)
        self.min_evidence, self.min_density = float(best[4]), float(best[5])
        self.cue_weight = float(best[6])
        is_none = np.asarray([v == NONE for v in y])
        if is_none.any() and not is_none.all():
            x = self._none_features(combined, chars, cues if has_cues else None)
            model = LogisticRegression(C=10.0).fit(x, is_none)
            self.none_coef = (float(model.intercept_[0]), *map(float, model.coef_[0]))
        return self

    def to_dict(self) -> dict[str, Any]:
        """Plain data for saving next to a model."""
        return {
            "dimensions": list(self.dimensions),
            "min_evidence": self.min_evidence,
            "min_density": self.min_density,
            "subject_weight": self.subject_weight,
            "cue_weight": self.cue_weight,
            "none_coef": [round(c, 6) for c in self.none_coef],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LexiconRule:
        """Rebuild from :meth:`to_dict` output (rules saved before cues have no cue weight)."""
        return cls(
            data["dimensions"],
            min_evidence=data["min_evidence"],
            min_density=data["min_density"],
            subject_weight=data["subject_weight"],
            cue_weight=data.get("cue_weight", 0.0),
            none_coef=data["none_coef"],
        )

    def __repr__(self) -> str:
        return (
            f"LexiconRule(min_evidence={self.min_evidence}, min_density={self.min_density}, "
            f"subject_weight={self.subject_weight}, cue_weight={self.cue_weight})"
        )
