"""Survey and Chinese text analytics for research on urban community governance.

``analysis`` reads resident satisfaction surveys and Chinese documents about grassroots
service-oriented party organisations (基层服务型党组织), scores both on five service
dimensions, compares communities with the right statistics and writes tables, charts and
reports.

Importing the package is cheap: every public name is loaded from its stage face
(:mod:`analysis.survey`, :mod:`analysis.text`, :mod:`analysis.stats`, :mod:`analysis.report`,
:mod:`analysis.io`, :mod:`analysis.study`) on first use, so statsmodels, matplotlib, jieba,
scikit-learn and scipy load only when needed.

Examples
--------
>>> import analysis as an
>>> an.SERVICE_FIVE.ids
('reform', 'development', 'livelihood', 'masses', 'members')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from analysis.core.lazy import attach
from analysis.core.provenance import __version__

# public name -> the stage face it is loaded from (on first attribute access)
_LAZY: dict[str, str] = {
    # survey side
    "Codebook": "analysis.survey",
    "load_codebook": "analysis.survey",
    "SurveyData": "analysis.survey",
    "read_survey": "analysis.survey",
    "score_survey": "analysis.survey",
    "frequencies": "analysis.survey",
    "sample_profile": "analysis.survey",
    "satisfaction": "analysis.survey",
    "reliability": "analysis.survey",
    "cfa": "analysis.survey",
    "CfaResult": "analysis.survey",
    "invariance": "analysis.survey",
    "InvarianceResult": "analysis.survey",
    "item_analysis": "analysis.survey",
    "item_moments": "analysis.survey",
    "PartitionedSurvey": "analysis.survey",
    "read_survey_partitioned": "analysis.survey",
    "score_partitioned": "analysis.survey",
    "group_moments": "analysis.survey",
    "partitioned_item_moments": "analysis.survey",
    "weighted_descriptives": "analysis.survey",
    "draft_codebook": "analysis.survey",
    "validate_codebook": "analysis.survey",
    "screen_quality": "analysis.survey",
    # text side
    "read_texts": "analysis.io",
    "text_quarantine": "analysis.io",
    "Segmenter": "analysis.text",
    "Lexicon": "analysis.text",
    "load_lexicon": "analysis.text",
    "default_lexicon": "analysis.text",
    "calibrate_lexicon": "analysis.text",
    "score_texts": "analysis.text",
    "explain": "analysis.text",
    "top_terms": "analysis.text",
    "keyness": "analysis.text",
    "dimension_table": "analysis.text",
    "cooccurrence": "analysis.text",
    "validate_lexicon": "analysis.text",
    "cohen_kappa": "analysis.stats",
    "krippendorff_alpha": "analysis.stats",
    "supervised_baseline": "analysis.text",
    "suggest_terms": "analysis.text",
    "load_passages": "analysis.text",
    "classify_texts": "analysis.text",
    "train_classifier": "analysis.text",
    "train_encoder_classifier": "analysis.text",
    "train_context_classifier": "analysis.text",
    "DimensionClassifier": "analysis.text",
    "ContextClassifier": "analysis.text",
    "EncoderClassifier": "analysis.text",
    "default_classifier": "analysis.text",
    "split_passages": "analysis.text",
    "load_labelled_passages": "analysis.text",
    "coding_sample": "analysis.text",
    "write_coding_sheet": "analysis.text",
    "read_coding_sheet": "analysis.text",
    "compare_codings": "analysis.text",
    "check_codings": "analysis.text",
    "write_adjudication_sheet": "analysis.text",
    # statistics
    "CompareResult": "analysis.stats",
    "compare_groups": "analysis.stats",
    "GroupMoments": "analysis.stats",
    "ValueCounts": "analysis.stats",
    "ItemMoments": "analysis.stats",
    "icc": "analysis.stats",
    "mixed_model": "analysis.stats",
    "center": "analysis.stats",
    "regression": "analysis.stats",
    "ordered_logit": "analysis.stats",
    "brant_test": "analysis.stats",
    "cor_test": "analysis.stats",
    "correlation_matrix": "analysis.stats",
    "fisher_test": "analysis.stats",
    "factorial_anova": "analysis.stats",
    "chi_square": "analysis.stats",
    "SurveyDesign": "analysis.stats",
    "DesignResult": "analysis.stats",
    "calibrated_weights": "analysis.stats",
    "survey_means": "analysis.stats",
    "survey_totals": "analysis.stats",
    "survey_proportions": "analysis.stats",
    "survey_compare": "analysis.stats",
    "entropy_weights": "analysis.stats",
    "ipa": "analysis.stats",
    "text_survey_correlation": "analysis.stats",
    # charts
    "plot_radar": "analysis.report",
    "plot_means_ci": "analysis.report",
    "plot_heatmap": "analysis.report",
    "plot_ipa": "analysis.report",
    "plot_keyness": "analysis.report",
    "plot_network": "analysis.report",
    "plot_distributions": "analysis.report",
    "save_figure": "analysis.report",
    "figure_to_base64_png": "analysis.report",
    # display
    "show": "analysis.report",
    "frame_to_html": "analysis.report",
    "preview_report": "analysis.report",
    # study
    "Study": "analysis.study",
    "load_study": "analysis.study",
    "run_study": "analysis.study",
    "validate_study": "analysis.study",
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


__getattr__, __dir__ = attach(__name__, _LAZY)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.io import read_texts, text_quarantine
    from analysis.report import (
        figure_to_base64_png,
        frame_to_html,
        plot_distributions,
        plot_heatmap,
        plot_ipa,
        plot_keyness,
        plot_means_ci,
        plot_network,
        plot_radar,
        preview_report,
        save_figure,
        show,
    )
    from analysis.stats import (
        CompareResult,
        DesignResult,
        GroupMoments,
        ItemMoments,
        SurveyDesign,
        ValueCounts,
        brant_test,
        calibrated_weights,
        center,
        chi_square,
        cohen_kappa,
        compare_groups,
        cor_test,
        correlation_matrix,
        entropy_weights,
        factorial_anova,
        fisher_test,
        icc,
        ipa,
        krippendorff_alpha,
        mixed_model,
        ordered_logit,
        regression,
        survey_compare,
        survey_means,
        survey_proportions,
        survey_totals,
        text_survey_correlation,
    )
    from analysis.study import Study, load_study, run_study, validate_study
    from analysis.survey import (
        CfaResult,
        Codebook,
        InvarianceResult,
        PartitionedSurvey,
        SurveyData,
        cfa,
        draft_codebook,
        frequencies,
        group_moments,
        invariance,
        item_analysis,
        item_moments,
        load_codebook,
        partitioned_item_moments,
        read_survey,
        read_survey_partitioned,
        reliability,
        sample_profile,
        satisfaction,
        score_partitioned,
        score_survey,
        screen_quality,
        validate_codebook,
        weighted_descriptives,
    )
    from analysis.text import (
        ContextClassifier,
        DimensionClassifier,
        EncoderClassifier,
        Lexicon,
        Segmenter,
        calibrate_lexicon,
        check_codings,
        classify_texts,
        coding_sample,
        compare_codings,
        cooccurrence,
        default_classifier,
        default_lexicon,
        dimension_table,
        explain,
        keyness,
        load_labelled_passages,
        load_lexicon,
        load_passages,
        read_coding_sheet,
        score_texts,
        split_passages,
        suggest_terms,
        supervised_baseline,
        top_terms,
        train_classifier,
        train_context_classifier,
        train_encoder_classifier,
        validate_lexicon,
        write_adjudication_sheet,
        write_coding_sheet,
    )
