"""Surveys: codebooks, reading an export through one, quality screens, scores, reliability.

* :mod:`.codebook`      the codebook model: items -> dimensions, scales, reverse items, missing
* :mod:`.codebook_file` reading a codebook file (YAML), every problem with its line
* :mod:`.drafting`      drafting a codebook from an export, checking one against an export
* :mod:`.reading`       reading an export through a codebook: recoding and quarantine
* :mod:`.quality`       speeder, straight-lining and duplicate screens
* :mod:`.scores`        dimension scores and weighted descriptives
* :mod:`.describe`      frequency tables, the sample profile, 满意率 and the 百分制 index
* :mod:`.psychometrics` reliability (alpha, omega), KMO and Bartlett, the item table, and
  the mergeable item moments they can be computed from
* :mod:`.factor_analysis` confirmatory factor analysis of the dimensions: fit, loadings, CR/AVE,
  Fornell-Larcker and HTMT
* :mod:`.partitioned`   an export in many files on Dask: per-file reading and scores, merged
  sufficient statistics

The names below load on first use; importing this face loads no pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.core.lazy import attach

_LAZY = {
    "Codebook": "analysis.survey.codebook",
    "load_codebook": "analysis.survey.codebook_file",
    "draft_codebook": "analysis.survey.drafting",
    "validate_codebook": "analysis.survey.drafting",
    "SurveyData": "analysis.survey.reading",
    "read_survey": "analysis.survey.reading",
    "screen_quality": "analysis.survey.quality",
    "score_survey": "analysis.survey.scores",
    "weighted_descriptives": "analysis.survey.scores",
    "frequencies": "analysis.survey.describe",
    "sample_profile": "analysis.survey.describe",
    "satisfaction": "analysis.survey.describe",
    "reliability": "analysis.survey.psychometrics",
    "cfa": "analysis.survey.factor_analysis",
    "CfaResult": "analysis.survey.factor_analysis",
    "invariance": "analysis.survey.measurement_invariance",
    "InvarianceResult": "analysis.survey.measurement_invariance",
    "item_analysis": "analysis.survey.psychometrics",
    "item_moments": "analysis.survey.psychometrics",
    "PartitionedSurvey": "analysis.survey.partitioned",
    "read_survey_partitioned": "analysis.survey.partitioned",
    "score_partitioned": "analysis.survey.partitioned",
    "group_moments": "analysis.survey.partitioned",
    "partitioned_item_moments": "analysis.survey.partitioned",
}
__all__ = list(_LAZY)
__getattr__, __dir__ = attach(__name__, _LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.survey.codebook import Codebook
    from analysis.survey.codebook_file import load_codebook
    from analysis.survey.describe import frequencies, sample_profile, satisfaction
    from analysis.survey.drafting import draft_codebook, validate_codebook
    from analysis.survey.factor_analysis import CfaResult, cfa
    from analysis.survey.measurement_invariance import InvarianceResult, invariance
    from analysis.survey.partitioned import (
        PartitionedSurvey,
        group_moments,
        partitioned_item_moments,
        read_survey_partitioned,
        score_partitioned,
    )
    from analysis.survey.psychometrics import item_analysis, item_moments, reliability
    from analysis.survey.quality import screen_quality
    from analysis.survey.reading import SurveyData, read_survey
    from analysis.survey.scores import score_survey, weighted_descriptives
