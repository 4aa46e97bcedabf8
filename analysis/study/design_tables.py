"""Design-based comparison tables of a study whose codebook declares a sampling design.

When the codebook names a weight, strata, cluster (PSU) or fpc column, ``analysis run``
adds, next to the model-based comparison, the design-based one: domain means of each
community per dimension with Taylor-linearisation errors, the Wald test across communities
and the pairwise differences (:func:`analysis.stats.design_tests.survey_compare`). Without
the svy package the run says how to install it and goes on without these tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.core.errors import AnalysisError

if TYPE_CHECKING:  # pragma: no cover
    from analysis.study.config import Study
    from analysis.study.outputs import StudyOutputs

__all__ = ["add_design_tables"]


def add_design_tables(study: Study, out: StudyOutputs) -> None:
    """Add ``survey_design_means``, ``survey_design_compare`` and ``survey_design_pairs``.

    Nothing happens when there are no survey scores or the codebook declares no design;
    a note (zh and en) says why the tables are missing when svy is not installed or the
    design cannot be estimated (e.g. a community with a single sampling unit).
    """
    survey = out.results.get("survey")
    scores = out.tables.get("survey_scores")
    design = getattr(survey, "design", None)
    if design is None or scores is None or scores["group"].nunique() < 2:
        return
    from analysis.stats.design_tests import survey_compare

    try:
        res = survey_compare(
            scores, "score", "group", design=design, by="dimension", p_adjust=study.p_adjust
        )
    except AnalysisError as exc:  # svy missing (ConfigError) or a design it cannot estimate
        out.params.setdefault("notes", []).append(
            {
                "zh": f"未生成基于抽样设计的比较表：{exc}",
                "en": f"design-based comparison tables left out: {exc}",
            }
        )
        return
    out.results["survey_design_compare"] = res
    out.tables["survey_design_means"] = res.table
    out.tables["survey_design_compare"] = res.test
    out.tables["survey_design_pairs"] = res.pairs
