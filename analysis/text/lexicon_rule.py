"""The lexicon's own label rule: the best-supported dimension, or ``none`` below a learnt bar.

A passage of a regulation that names 主管部门 once, or a ceremonial sentence with one 群众, is
not about a dimension. :class:`LexiconRule` labels a text ``none`` unless its strongest
dimension has at least ``min_evidence`` (weighted hits plus ``subject_weight`` per subject
clause, see :mod:`analysis.text.features`) and at least ``min_density`` of it per 100
characters: one term in a long article of procedure is not enough. Both bars are chosen
together on labelled passages to maximise macro-F1 over all labels, ``none`` included.
Probabilities are calibrated on the same passages: the chance of ``none`` is a logistic
function of the strongest dimension's evidence, its density and its share; the rest is
divided among dimensions in proportion to their evidence.
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
    none_coef
        Intercept and slopes (on log1p of the strongest evidence, of its density, and on its
        share) of the calibrated probability of ``none`` (learnt by :meth:`fit`).
    """

    def __init__(
        self,
        dimensions: Sequence[str],
        *,
        min_evidence: float = 1.0,
        min_density: float = 0.0,
        subject_weight: float = 1.0,
        none_coef: Sequence[float] = (0.0, -1.0, 0.0, 0.0),
    ) -> None:
        self.dimensions = tuple(dimensions)
        self.min_evidence = float(min_evidence)
        self.min_density = float(min_density)
        self.subject_weight = float(subject_weight)
        self.none_coef = tuple(float(c) for c in none_coef)

    @property
    def classes(self) -> tuple[str, ...]:
        """Labels in the column order of :meth:`predict_proba`: dimensions, then ``none``."""
        return (*self.dimensions, NONE)

    def _arrays(self, evidence: LexiconEvidence) -> tuple[np.ndarray, np.ndarray]:
        if tuple(evidence.dimensions) != self.dimensions:
            raise InputError(
                f"evidence has dimensions {list(evidence.dimensions)}, the rule "
                f"{list(self.dimensions)}"
            )
        combined = evidence.evidence(self.subject_weight)
        chars = np.maximum(np.asarray(evidence.n_chars, dtype=float), 1.0)
        return combined, chars

    @staticmethod
    def _decide(
        combined: np.ndarray,
        chars: np.ndarray,
        dims: np.ndarray,
        t_evidence: float,
        t_density: float,
    ) -> np.ndarray:
        if not len(combined):
            return np.zeros(0, dtype=object)
        strongest = combined.max(axis=1)
        keep = (strongest > 0) & (strongest >= t_evidence) & (100 * strongest / chars >= t_density)
        return np.where(keep, dims[combined.argmax(axis=1)], NONE)

    def predict(self, evidence: LexiconEvidence) -> np.ndarray:
        """Labels (ties go to the dimension listed first)."""
        combined, chars = self._arrays(evidence)
        dims = np.asarray(self.dimensions, dtype=object)
        return self._decide(combined, chars, dims, self.min_evidence, self.min_density)

    @staticmethod
    def _none_features(combined: np.ndarray, chars: np.ndarray) -> np.ndarray:
        strongest = combined.max(axis=1)
        total = combined.sum(axis=1)
        share = np.divide(strongest, total, out=np.zeros_like(total), where=total > 0)
        return np.column_stack([np.log1p(strongest), np.log1p(100 * strongest / chars), share])

    def predict_proba(self, evidence: LexiconEvidence) -> np.ndarray:
        """Calibrated probabilities, columns in the order of :attr:`classes`."""
        combined, chars = self._arrays(evidence)
        if not len(combined):
            return np.zeros((0, len(self.classes)))
        x = self._none_features(combined, chars)
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

        combined, chars = self._arrays(evidence)
        y = [str(v) for v in y]
        if len(y) != len(combined):
            raise InputError(f"got {len(combined)} rows of evidence but {len(y)} labels")
        labels = sorted(set(y) | {NONE})
        dims = np.asarray(self.dimensions, dtype=object)
        scored = [
            (_macro_f1(y, self._decide(combined, chars, dims, te, td), labels), -te, -td, te, td)
            for te in _EVIDENCE_GRID
            for td in _DENSITY_GRID
        ]
        best = max(scored)
        self.min_evidence, self.min_density = float(best[3]), float(best[4])
        is_none = np.asarray([v == NONE for v in y])
        if is_none.any() and not is_none.all():
            model = LogisticRegression(C=10.0).fit(self._none_features(combined, chars), is_none)
            self.none_coef = (float(model.intercept_[0]), *map(float, model.coef_[0]))
        return self

    def to_dict(self) -> dict[str, Any]:
        """Plain data for saving next to a model."""
        return {
            "dimensions": list(self.dimensions),
            "min_evidence": self.min_evidence,
            "min_density": self.min_density,
            "subject_weight": self.subject_weight,
            "none_coef": [round(c, 6) for c in self.none_coef],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LexiconRule:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            data["dimensions"],
            min_evidence=data["min_evidence"],
            min_density=data["min_density"],
            subject_weight=data["subject_weight"],
            none_coef=data["none_coef"],
        )

    def __repr__(self) -> str:
        return (
            f"LexiconRule(min_evidence={self.min_evidence}, min_density={self.min_density}, "
            f"subject_weight={self.subject_weight})"
        )
