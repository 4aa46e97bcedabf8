"""The measurement step of a study: CFA of the codebook's dimensions and, on request,
measurement invariance across communities (``measurement:`` in study.yaml)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core.errors import AnalysisWarning, InputError

if TYPE_CHECKING:
    from analysis.study.config import Study
    from analysis.study.outputs import StudyOutputs

__all__ = ["run_measurement", "validity_table"]


def validity_table(result: Any) -> pd.DataFrame:
    """One row per dimension: ``dimension``, ``n_items``, ``cr``, ``ave``, ``sqrt_ave`` and
    ``r_<dimension>`` columns: √AVE on the diagonal, factor correlations below it, HTMT
    above it (the table Chinese journals print for discriminant validity)."""
    rel = result.reliability.copy()
    fl, ht = result.fornell_larcker, result.htmt
    dims = list(rel["dimension"])
    for j, other in enumerate(dims):
        rel[f"r_{other}"] = [
            fl.loc[d, other] if i >= j else ht.loc[d, other] for i, d in enumerate(dims)
        ]
    return rel


def run_measurement(study: Study, out: StudyOutputs) -> None:
    """Fit the CFA (and invariance) the study asks for; write the tables, note problems."""
    from analysis.survey.factor_analysis import cfa
    from analysis.survey.measurement_invariance import invariance

    options = study.measurement
    survey = out.results.get("survey")
    if not options or survey is None:
        return
    notes = out.params.setdefault("notes", [])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always", AnalysisWarning)
        try:
            result = cfa(survey, estimator=options["estimator"], missing=options["missing"])
        except InputError as exc:
            notes.append(f"CFA not fitted: {exc}")
            return
        out.results["cfa"] = result
        fit = result.fit.copy()
        out.tables["cfa_fit"] = fit
        out.tables["cfa_loadings"] = result.loadings
        out.tables["cfa_validity"] = validity_table(result)
        if options["invariance"]:
            try:
                inv = invariance(survey, min_group_n=options["min_group_n"])
            except InputError as exc:
                notes.append(f"measurement invariance not tested: {exc}")
            else:
                out.results["invariance"] = inv
                out.tables["invariance"] = inv.table
                out.tables["invariance_groups"] = inv.groups
    notes.extend(str(w.message) for w in record)
    if not np.isfinite(fit["cfi"].iloc[0]):
        notes.append("CFA: the fit indices could not be computed")
