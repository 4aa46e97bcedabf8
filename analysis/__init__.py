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

from .dimensions import SERVICE_FIVE, Dimension, Framework, load_framework
from .errors import (
    AnalysisError,
    AnalysisWarning,
    CodebookError,
    ConfigError,
    DataQualityWarning,
    InputError,
    LexiconError,
    SmallSampleWarning,
)

__version__ = "0.1.0"

# public name -> module that defines it (loaded on first attribute access)
_LAZY: dict[str, str] = {
    # survey side
    "Codebook": "codebook",
    "load_codebook": "codebook",
    "SurveyData": "io",
    "read_survey": "io",
    "score_survey": "survey",
    "reliability": "survey",
    "item_analysis": "survey",
    "weighted_descriptives": "survey",
    "draft_codebook": "codebook",
    "validate_codebook": "codebook",
    "screen_quality": "quality",
    # text side
    "read_texts": "io",
    "Segmenter": "segment",
    "Lexicon": "lexicon",
    "load_lexicon": "lexicon",
    "default_lexicon": "lexicon",
    "score_texts": "score",
    "explain": "score",
    "top_terms": "score",
    "keyness": "textstats",
    "dimension_table": "textstats",
    "cooccurrence": "textstats",
    "validate_lexicon": "validate",
    "cohen_kappa": "validate",
    "krippendorff_alpha": "validate",
    "supervised_baseline": "validate",
    "suggest_terms": "validate",
    "load_passages": "validate",
    # statistics
    "CompareResult": "compare",
    "compare_groups": "compare",
    "icc": "compare",
    "mixed_model": "compare",
    "ordered_logit": "compare",
    "chi_square": "compare",
    "entropy_weights": "compare",
    "ipa": "compare",
    "text_survey_correlation": "compare",
    # charts
    "plot_radar": "plot",
    "plot_means_ci": "plot",
    "plot_heatmap": "plot",
    "plot_ipa": "plot",
    "plot_keyness": "plot",
    "plot_network": "plot",
    "plot_distributions": "plot",
    "save_figure": "plot",
    "figure_to_base64_png": "plot",
    # display
    "show": "display",
    "frame_to_html": "display",
    "preview_report": "display",
    # study
    "Study": "study",
    "load_study": "study",
    "run_study": "study",
    "validate_study": "study",
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
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .codebook import Codebook, draft_codebook, load_codebook, validate_codebook
    from .compare import (
        CompareResult,
        chi_square,
        compare_groups,
        entropy_weights,
        icc,
        ipa,
        mixed_model,
        ordered_logit,
        text_survey_correlation,
    )
    from .display import frame_to_html, preview_report, show
    from .io import SurveyData, read_survey, read_texts
    from .lexicon import Lexicon, default_lexicon, load_lexicon
    from .plot import (
        figure_to_base64_png,
        plot_distributions,
        plot_heatmap,
        plot_ipa,
        plot_keyness,
        plot_means_ci,
        plot_network,
        plot_radar,
        save_figure,
    )
    from .quality import screen_quality
    from .score import explain, score_texts, top_terms
    from .segment import Segmenter
    from .study import Study, load_study, run_study, validate_study
    from .survey import item_analysis, reliability, score_survey, weighted_descriptives
    from .textstats import cooccurrence, dimension_table, keyness
    from .validate import (
        cohen_kappa,
        krippendorff_alpha,
        load_passages,
        suggest_terms,
        supervised_baseline,
        validate_lexicon,
    )
