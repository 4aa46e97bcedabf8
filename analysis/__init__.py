"""Survey and Chinese text analytics for research on urban community governance.

``analysis`` reads resident satisfaction surveys and Chinese documents about grassroots
service-oriented party organisations (基层服务型党组织), scores both on five service
dimensions, compares communities with the right statistics and writes tables, charts and
reports.

Importing the package is cheap: every public name is loaded from its module on first use,
so statsmodels, matplotlib, jieba, scikit-learn and scipy load only when needed.

Examples
--------
>>> import analysis as an
>>> an.SERVICE_FIVE.ids
('reform', 'development', 'livelihood', 'masses', 'members')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from analysis.core.dimensions import SERVICE_FIVE, Dimension, Framework, load_framework
from analysis.core.errors import (
    AnalysisError,
    AnalysisWarning,
    CodebookError,
    ConfigError,
    DataQualityWarning,
    InputError,
    LexiconError,
    SmallSampleWarning,
)
from analysis.core.provenance import __version__

# public name -> module that defines it (loaded on first attribute access)
_LAZY: dict[str, str] = {
    # survey side
    "Codebook": "analysis.survey.codebook",
    "load_codebook": "analysis.survey.codebook_file",
    "SurveyData": "analysis.survey.reading",
    "read_survey": "analysis.survey.reading",
    "score_survey": "analysis.survey.scores",
    "reliability": "analysis.survey.reliability",
    "item_analysis": "analysis.survey.reliability",
    "weighted_descriptives": "analysis.survey.scores",
    "draft_codebook": "analysis.survey.drafting",
    "validate_codebook": "analysis.survey.drafting",
    "screen_quality": "analysis.survey.quality",
    # text side
    "read_texts": "analysis.io",
    "Segmenter": "analysis.text.segment",
    "Lexicon": "analysis.text.lexicon",
    "load_lexicon": "analysis.text.lexicon_file",
    "default_lexicon": "analysis.text.lexicon_file",
    "score_texts": "analysis.text.score",
    "explain": "analysis.text.score",
    "top_terms": "analysis.text.score",
    "keyness": "analysis.text.textstats",
    "dimension_table": "analysis.text.textstats",
    "cooccurrence": "analysis.text.textstats",
    "validate_lexicon": "analysis.text.validate",
    "cohen_kappa": "analysis.stats.agreement",
    "krippendorff_alpha": "analysis.stats.agreement",
    "supervised_baseline": "analysis.text.validate",
    "suggest_terms": "analysis.text.validate",
    "load_passages": "analysis.text.validate",
    # statistics
    "CompareResult": "analysis.stats.compare_result",
    "compare_groups": "analysis.stats.compare",
    "icc": "analysis.stats.nesting",
    "mixed_model": "analysis.stats.nesting",
    "ordered_logit": "analysis.stats.nesting",
    "chi_square": "analysis.stats.categorical",
    "entropy_weights": "analysis.stats.indices",
    "ipa": "analysis.stats.indices",
    "text_survey_correlation": "analysis.stats.indices",
    # charts
    "plot_radar": "analysis.report.charts.groups",
    "plot_means_ci": "analysis.report.charts.groups",
    "plot_heatmap": "analysis.report.charts.groups",
    "plot_ipa": "analysis.report.charts.ipa",
    "plot_keyness": "analysis.report.charts.text",
    "plot_network": "analysis.report.charts.text",
    "plot_distributions": "analysis.report.charts.distributions",
    "save_figure": "analysis.report.charts.output",
    "figure_to_base64_png": "analysis.report.charts.output",
    # display
    "show": "analysis.report.display",
    "frame_to_html": "analysis.report.formatting",
    "preview_report": "analysis.report.display",
    # study
    "Study": "analysis.study.config",
    "load_study": "analysis.study.config",
    "run_study": "analysis.study.pipeline",
    "validate_study": "analysis.study.pipeline",
}

__all__ = [
    "SERVICE_FIVE",
    "AnalysisError",
    "AnalysisWarning",
    "CodebookError",
    "ConfigError",
    "DataQualityWarning",
    "Dimension",
    "Framework",
    "InputError",
    "LexiconError",
    "SmallSampleWarning",
    "__version__",
    "load_framework",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.io import read_texts
    from analysis.report.charts.distributions import plot_distributions
    from analysis.report.charts.groups import plot_heatmap, plot_means_ci, plot_radar
    from analysis.report.charts.ipa import plot_ipa
    from analysis.report.charts.output import figure_to_base64_png, save_figure
    from analysis.report.charts.text import plot_keyness, plot_network
    from analysis.report.display import preview_report, show
    from analysis.report.formatting import frame_to_html
    from analysis.stats.agreement import cohen_kappa, krippendorff_alpha
    from analysis.stats.categorical import chi_square
    from analysis.stats.compare import compare_groups
    from analysis.stats.compare_result import CompareResult
    from analysis.stats.indices import entropy_weights, ipa, text_survey_correlation
    from analysis.stats.nesting import icc, mixed_model, ordered_logit
    from analysis.study.config import Study, load_study
    from analysis.study.pipeline import run_study, validate_study
    from analysis.survey.codebook import Codebook
    from analysis.survey.codebook_file import load_codebook
    from analysis.survey.drafting import draft_codebook, validate_codebook
    from analysis.survey.quality import screen_quality
    from analysis.survey.reading import SurveyData, read_survey
    from analysis.survey.reliability import item_analysis, reliability
    from analysis.survey.scores import score_survey, weighted_descriptives
    from analysis.text.lexicon import Lexicon
    from analysis.text.lexicon_file import default_lexicon, load_lexicon
    from analysis.text.score import explain, score_texts, top_terms
    from analysis.text.segment import Segmenter
    from analysis.text.textstats import cooccurrence, dimension_table, keyness
    from analysis.text.validate import (
        load_passages,
        suggest_terms,
        supervised_baseline,
        validate_lexicon,
    )
