"""Read and apply a lexicon's calibrated weights (the CSV a YAML lexicon names).

The file has one row per term (:data:`COLUMNS`): the hand weight it was made from, the
labelled passages the term hit, how many of them were right and the calibrated weight. It is
written by :func:`~analysis.text.lexicon_calibration.calibrate_lexicon`; this module only
reads it, so that reading a lexicon never needs the scoring machinery.
"""

from __future__ import annotations

import dataclasses
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.core.errors import LexiconError, Problems

if TYPE_CHECKING:
    from analysis.text.lexicon import Lexicon

__all__ = ["COLUMNS", "apply_calibration", "read_calibration"]

COLUMNS = ["dimension", "term", "hand_weight", "passages", "right", "weight"]


def apply_calibration(lexicon: Lexicon, table: pd.DataFrame, *, source: str = "") -> Lexicon:
    """``lexicon`` with the weights of a calibration ``table`` (columns as :data:`COLUMNS`).

    Every row must name a term of its dimension whose weight in ``lexicon`` is the row's
    ``hand_weight``; otherwise the lexicon changed after the calibration and every stale row
    is reported in one :class:`~analysis.core.errors.LexiconError`. Terms without a row keep
    their weight.
    """
    where = source or "calibration"
    problems = Problems(where, error=LexiconError, what="calibration problems")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        problems.add(f"lacks the columns {', '.join(missing)}; expected {', '.join(COLUMNS)}")
        problems.raise_if_any()
    terms = {d: dict(t) for d, t in lexicon.terms.items()}
    for k, row in enumerate(table.itertuples(index=False), start=2):
        dim, term = str(row.dimension), str(row.term)
        if term not in terms.get(dim, {}):
            problems.add(
                f"{term!r} is not a term of {dim!r} in the lexicon: re-run the calibration",
                row=k,
                column="term",
                value=term,
            )
            continue
        try:
            hand, weight = float(row.hand_weight), float(row.weight)
        except (TypeError, ValueError):
            problems.add("hand_weight and weight must be numbers", row=k, column="weight")
            continue
        if not np.isfinite(weight) or weight < 0:
            problems.add("expected a weight of 0 or more", row=k, column="weight", value=weight)
            continue
        if not np.isclose(terms[dim][term], hand):
            problems.add(
                f"the lexicon weighs {term!r} {terms[dim][term]:g} but the calibration was made "
                f"from {hand:g}: the lexicon changed since; re-run the calibration",
                row=k,
                column="hand_weight",
                value=hand,
            )
            continue
        terms[dim][term] = weight
    problems.raise_if_any()
    return dataclasses.replace(lexicon, terms=terms)


def read_calibration(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a calibration CSV written by :meth:`LexiconCalibration.write`."""
    path = Path(path)
    if not path.is_file():
        raise LexiconError(f"{path}: calibration file not found", file=path)
    return pd.read_csv(path, dtype={"dimension": str, "term": str}, keep_default_na=False)
