"""The toolkit's words in Chinese and English: one ``Lang``, column headers, value labels
and the names of methods.

Tables, result displays, APA sentences and reports take their words from here, so that one
column or one method is called the same everywhere. Tidy frames have ASCII column names
(``p_adj`` …) and dimension ids (``reform`` …): :data:`COLUMN_LABELS` gives each column a
Chinese and an English header (:func:`analysis.report.formatting.column_label` picks the one
shown), a few categorical values (exclusion reasons, effect-size symbols …) have display
names, and :func:`method_label` and :func:`method_prose` name a method in a table cell and
in a sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

from analysis.core.design_words import DESIGN_COLUMNS, DESIGN_METHODS
from analysis.core.measurement_words import MEASUREMENT_LABELS, MEASUREMENT_TABLES
from analysis.core.messages import COUNT_LABELS, MESSAGES, counts_line, message
from analysis.core.model_words import MODEL_COLUMN_LABELS

__all__ = [
    "COLUMN_LABELS",
    "COUNT_LABELS",
    "EFFECT_SYMBOLS",
    "LANGS",
    "MESSAGES",
    "METHODS",
    "P_ADJUST",
    "TABLE_LABELS",
    "Lang",
    "MethodName",
    "counts_line",
    "effect_label",
    "message",
    "method_label",
    "method_prose",
    "p_adjust_label",
    "problem_label",
    "reason_label",
    "value_label",
]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# column name -> (Chinese header, English header); the toolkit's column vocabulary
COLUMN_LABELS: Mapping[str, tuple[str, str]] = {
    # identifiers and places
    "respondent_id": ("受访者编号", "Respondent"),
    "doc_id": ("文档编号", "Document"),
    "passage_id": ("段落编号", "Passage"),
    "item_id": ("题号", "Item"),
    "group": ("组别", "Group"),
    "group_a": ("组别 A", "Group A"),
    "group_b": ("组别 B", "Group B"),
    "community": ("社区", "Community"),
    "dimension": ("维度", "Dimension"),
    "label": ("标签", "Label"),
    "predicted": ("预测维度", "Predicted"),
    "correct": ("预测正确", "Correct"),
    "file": ("文件", "File"),
    "path": ("路径", "Path"),
    "bytes": ("字节数", "Bytes"),
    "sha256": ("SHA-256", "SHA-256"),
    "sheet": ("工作表", "Sheet"),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "col": ("列类别", "Column category"),
    "value": ("值", "Value"),
    "problem": ("问题", "Problem"),
    "reason": ("原因", "Reason"),
    "source": ("来源", "Source"),
    "encoding": ("编码", "Encoding"),
    "year": ("年份", "Year"),
    "type": ("类型", "Type"),
    "text": ("文本", "Text"),
    "question": ("题目", "Question"),
    "term": ("词语", "Term"),
    "token": ("词", "Token"),
    "context": ("上下文", "Context"),
    "rationale": ("界定", "Rationale"),
    "none": ("无命中", "No hit"),
    "unclassified": ("未归类", "Unclassified"),
    "term_a": ("词语 A", "Term A"),
    "term_b": ("词语 B", "Term B"),
    "dimension_a": ("维度 A", "Dimension A"),
    "dimension_b": ("维度 B", "Dimension B"),
    "example": ("例句", "Example"),
    # counts
    "n": ("样本量", "N"),
    "k": ("组数", "Groups"),
    "n_groups": ("组数", "Groups"),
    "n_items": ("题目数", "Items"),
    "n_hits": ("命中次数", "Hits"),
    "n_negated": ("否定命中", "Negated hits"),
    "n_tokens": ("词数", "Tokens"),
    "n_terms": ("词条数", "Terms"),
    "n_docs": ("文档数", "Documents"),
    "n_rows": ("行数", "Rows"),
    "n_cols": ("列数", "Columns"),
    "n_target": ("目标组频次", "Target count"),
    "n_reference": ("参照组频次", "Reference count"),
    "total_target": ("目标组总词数", "Target total"),
    "total_reference": ("参照组总词数", "Reference total"),
    "freq": ("频次", "Frequency"),
    "n_a": ("含词语 A 的单位数", "Units with A"),
    "n_b": ("含词语 B 的单位数", "Units with B"),
    "n_sentences": ("句数", "Sentences"),
    "n_with_seed": ("与种子词同句数", "Sentences with a seed"),
    "observed": ("观测频数", "Observed"),
    "expected": ("期望频数", "Expected"),
    "support": ("支持数", "Support"),
    "folds": ("折数", "Folds"),
    "fold": ("折", "Fold"),
    "rank": ("排名", "Rank"),
    # scores and descriptives
    "score": ("得分", "Score"),
    "share": ("占比", "Share"),
    "weight": ("权重", "Weight"),
    "weighted_hits": ("加权命中", "Weighted hits"),
    "mean": ("均值", "Mean"),
    "sd": ("标准差", "SD"),
    "se": ("标准误", "SE"),
    "median": ("中位数", "Median"),
    "q1": ("下四分位数", "Q1"),
    "q3": ("上四分位数", "Q3"),
    "n_eff": ("有效样本量", "Effective n"),
    "min": ("最小值", "Min"),
    "max": ("最大值", "Max"),
    "grand_mean": ("总均值", "Grand mean"),
    "diff": ("均值差", "Difference"),
    **DESIGN_COLUMNS,
    "ci_low": ("CI 下限", "CI low"),
    "ci_high": ("CI 上限", "CI high"),
    "index": ("综合指数", "Index"),
    "satisfaction_rate": ("满意率", "Satisfaction rate"),
    "n_satisfied": ("满意人次", "Satisfied answers"),
    "satisfaction_index": ("满意度指数（百分制）", "Satisfaction index (0-100)"),
    "frequency": ("频数", "Frequency"),
    "percent": ("百分比", "Percent"),
    "valid_percent": ("有效百分比", "Valid percent"),
    "cumulative_percent": ("累计百分比", "Cumulative percent"),
    "answer": ("选项", "Answer"),
    "missing_kind": ("缺失类型", "Missing"),
    # tests
    "method": ("方法", "Method"),
    "statistic": ("统计量", "Statistic"),
    "df": ("自由度", "df"),
    "df1": ("自由度 1", "df1"),
    "df2": ("自由度 2", "df2"),
    "p_value": ("p 值", "p"),
    "p_adj": ("校正 p 值", "Adjusted p"),
    "effect_size": ("效应量", "Effect size"),
    "effect_type": ("效应量类型", "Effect type"),
    "effect_ci_low": ("效应量 CI 下限", "Effect size CI low"),
    "effect_ci_high": ("效应量 CI 上限", "Effect size CI high"),
    "eta2": ("η²", "η²"),
    "omega2": ("ω²", "ω²"),
    "epsilon2": ("ε²", "ε²"),
    "epsilon2_h": ("ε²_H", "ε²_H"),
    "n_dropped": ("剔除的缺失值", "Missing dropped"),
    "n_groups_excluded": ("排除的组数", "Groups excluded"),
    "letters": ("字母标记", "Letters"),
    "chi2": ("χ²", "χ²"),
    "g2": ("对数似然比 G²", "G²"),
    "log_ratio": ("对数比", "Log ratio"),
    "pct_diff": ("百分比差异", "% difference"),
    "direction": ("方向", "Direction"),
    "residual": ("残差", "Residual"),
    "adj_residual": ("调整残差", "Adjusted residual"),
    "std_residual": ("标准化残差", "Standardised residual"),
    "cramers_v": ("Cramér V", "Cramér's V"),
    "cramers_v_ci_low": ("Cramér V CI 下限", "Cramér's V CI low"),
    "cramers_v_ci_high": ("Cramér V CI 上限", "Cramér's V CI high"),
    "cramers_v_adjusted": ("V 已偏差校正", "V bias-adjusted"),
    "p_method": ("p 值算法", "p-value method"),
    "partial_eta2": ("偏 η²", "Partial η²"),
    "sum_sq": ("平方和", "Sum of squares"),
    "stars": ("显著性标记", "Significance"),
    "min_expected": ("最小期望频数", "Min expected"),
    "share_expected_below_5": ("期望频数<5 的比例", "Share expected < 5"),
    "yates": ("Yates 校正", "Yates correction"),
    "note": ("说明", "Note"),
    # reliability and items
    "alpha": ("Cronbach α", "Cronbach's α"),
    "alpha_std": ("标准化 α", "Standardised α"),
    "average_r": ("平均题间相关", "Mean inter-item r"),
    "omega": ("McDonald ω_t（单因子）", "McDonald's ω_total (one factor)"),
    "kmo": ("KMO", "KMO"),
    "bartlett_chi2": ("Bartlett χ²", "Bartlett χ²"),
    "bartlett_df": ("Bartlett 自由度", "Bartlett df"),
    "bartlett_p": ("Bartlett p 值", "Bartlett p"),
    "missing": ("缺失处理", "Missing data"),
    "citc": ("校正题总相关", "Corrected item-total r"),
    "alpha_if_deleted": ("删除该题后 α", "α if deleted"),
    "alpha_std_if_deleted": ("删除该题后标准化 α", "Standardised α if deleted"),
    "discrimination_t": ("区分度 t", "Discrimination t"),
    "discrimination_p": ("区分度 p 值", "Discrimination p"),
    "reverse": ("反向题", "Reverse-keyed"),
    "duration_s": ("用时（秒）", "Duration (s)"),
    "flag_speeder": ("作答过快", "Speeder"),
    "flag_straightline": ("直线作答", "Straight-liner"),
    "flag_duplicate": ("重复提交", "Duplicate"),
    # text evidence
    "start": ("起始位置", "Start"),
    "end": ("结束位置", "End"),
    "sentence_id": ("句序号", "Sentence"),
    "negated": ("否定", "Negated"),
    "lexicon": ("词典", "Lexicon"),
    "lexicon_version": ("词典版本", "Lexicon version"),
    "dict_fingerprint": ("词典指纹", "Dictionary fingerprint"),
    # validation
    "precision": ("精确率", "Precision"),
    "recall": ("召回率", "Recall"),
    "f1": ("F1", "F1"),
    "accuracy": ("准确率", "Accuracy"),
    "macro_f1": ("宏平均 F1", "Macro F1"),
    "macro_f1_sd": ("宏平均 F1 标准差", "Macro F1 SD"),
    "kappa": ("Cohen κ", "Cohen's κ"),
    "coverage": ("覆盖率", "Coverage"),
    "jaccard": ("Jaccard 系数", "Jaccard"),
    "pmi": ("点互信息 PMI", "PMI"),
    "npmi": ("标准化 PMI", "NPMI"),
    # nesting, indices, models
    "mean_group_size": ("平均组规模", "Mean group size"),
    "var_between": ("组间方差", "Between variance"),
    "var_within": ("组内方差", "Within variance"),
    "icc1": ("ICC(1)", "ICC(1)"),
    "icc2": ("ICC(2)", "ICC(2)"),
    "design_effect": ("设计效应", "Design effect"),
    "optimizer": ("优化器", "Optimizer"),
    "converged": ("已收敛", "Converged"),
    "entropy": ("信息熵", "Entropy"),
    "divergence": ("差异系数", "Divergence"),
    "performance": ("表现（满意度）", "Performance"),
    "importance": ("重要性", "Importance"),
    "importance_type": ("重要性类型", "Importance type"),
    "cross_performance": ("表现分界", "Performance cut"),
    "cross_importance": ("重要性分界", "Importance cut"),
    "quadrant": ("象限", "Quadrant"),
    "quadrant_zh": ("象限（中文）", "Quadrant (Chinese)"),
    "r": ("相关系数 r", "r"),
    "estimate": ("估计值", "Estimate"),
    "odds_ratio": ("优势比", "Odds ratio"),
    "kind": ("类别", "Kind"),
    "rho": ("Spearman ρ", "Spearman's ρ"),
    "id": ("编号", "Id"),
    "scale": ("量表", "Scale"),
    "line": ("行号", "Line"),
    "log_likelihood": ("对数似然", "Log-likelihood"),
    "deviance": ("偏差", "Deviance"),
    "aic": ("AIC", "AIC"),
    "suppressed": ("样本过少不予显示", "Suppressed"),
    "cohen_d": ("Cohen d", "Cohen's d"),
    "probability": ("概率", "Probability"),
    "evidence": ("证据词", "Evidence"),
    "n_passages": ("段落数", "Passages"),
    **MODEL_COLUMN_LABELS,
    **MEASUREMENT_LABELS,
}

# values of a few categorical columns, translated for Chinese display
_VALUE_LABELS_ZH: Mapping[str, Mapping[str, str]] = {
    "reason": {
        "speeder": "作答过快",
        "straightline": "直线作答",
        "duplicate": "重复提交",
    },
    "direction": {"over": "偏多", "under": "偏少"},
    "group": {"all": "全体"},  # the whole-sample rows of the satisfaction table
    "quadrant": {
        "concentrate": "重点改进区",
        "keep_up": "继续保持区",
        "low_priority": "低优先区",
        "overkill": "过度投入区",
    },
    "missing": {"pairwise": "成对删除", "listwise": "成列删除"},
    "missing_kind": {"skipped": "跳过（系统缺失）", "no_answer": "未作答"},
    "importance_type": {"derived": "推导重要性", "stated": "自评重要性"},
    "kind": {"fixed": "固定效应", "threshold": "阈值"},
    "component": {"Residual": "残差"},
}

# values translated in every language
_VALUE_SYMBOLS: Mapping[str, Mapping[str, str]] = {
    "effect_type": {
        "omega2": "ω²",
        "eta2": "η²",
        "epsilon2": "ε²",
        "epsilon2_h": "ε²_H",
        "hedges_g": "Hedges g",
        "cohen_d": "Cohen d",
        "rank_biserial": "r_rb",
    },
}


# ====================================================================== methods


class MethodName(NamedTuple):
    """How a method is named: short (table cells, headings) and in prose, in both languages."""

    zh: str
    en: str
    zh_prose: str
    en_prose: str


METHODS: dict[str, MethodName] = {
    "anova": MethodName("单因素方差分析", "one-way ANOVA", "单因素方差分析", "one-way ANOVA"),
    "welch": MethodName(
        "Welch 方差分析",
        "Welch's ANOVA",
        "Welch 方差分析（对方差不齐与各组样本量不等稳健）",
        "Welch's ANOVA (robust to unequal variances and group sizes)",
    ),
    "welch-t": MethodName(
        "独立样本 t 检验（Welch）",
        "Welch's t test",
        "独立样本 t 检验（Welch 校正，不假定方差齐性）",
        "Welch's independent-samples t test (not assuming equal variances)",
    ),
    "student-t": MethodName(
        "独立样本 t 检验",
        "Student's t test",
        "独立样本 t 检验（假定方差齐性）",
        "Student's independent-samples t test (assuming equal variances)",
    ),
    "brown-forsythe": MethodName(
        "Brown-Forsythe 检验",
        "Brown-Forsythe test",
        "Brown-Forsythe 检验",
        "the Brown-Forsythe test",
    ),
    "kruskal": MethodName(
        "Kruskal-Wallis 检验",
        "Kruskal-Wallis test",
        "Kruskal-Wallis 秩和检验（含结校正）",
        "the Kruskal-Wallis test (tie-corrected)",
    ),
    "tukey": MethodName("Tukey-Kramer", "Tukey-Kramer", "Tukey-Kramer 法", "Tukey-Kramer"),
    "games-howell": MethodName("Games-Howell", "Games-Howell", "Games-Howell 法", "Games-Howell"),
    "dunn": MethodName("Dunn", "Dunn", "Dunn 检验", "Dunn's test"),
    "lsd": MethodName("LSD", "LSD", "LSD 法", "LSD"),
    "bonferroni": MethodName("Bonferroni", "Bonferroni", "Bonferroni 法", "Bonferroni"),
    "spearman": MethodName("Spearman 相关", "Spearman", "Spearman 等级相关", "Spearman's rho"),
    "ensemble": MethodName(
        "集成分类器",
        "ensemble classifier",
        "逻辑回归与词典规则的集成分类器",
        "an ensemble of logistic regression and the lexicon rule",
    ),
    "lexicon": MethodName("词典规则", "lexicon rule", "词典规则", "the lexicon rule"),
    **{k: MethodName(*v) for k, v in DESIGN_METHODS.items()},
}


def _key(method: object) -> str:
    return str(method).lower().replace("_", "-")


def method_label(method: object, lang: Lang) -> str:
    """The short name of ``method`` (a table cell); the id itself when unknown."""
    name = METHODS.get(_key(method))
    return str(method) if name is None else (name.zh if lang == "zh" else name.en)


def method_prose(method: object, lang: Lang) -> str:
    """How ``method`` is named in a sentence; the id itself when unknown."""
    name = METHODS.get(_key(method))
    return str(method) if name is None else (name.zh_prose if lang == "zh" else name.en_prose)


# ====================================================================== value vocabulary

#: p-value adjustment methods: id -> (Chinese, English), as printed in notes and prose.
P_ADJUST: Mapping[str, tuple[str, str]] = {
    "holm": ("Holm 法", "Holm"),
    "bonferroni": ("Bonferroni 法", "Bonferroni"),
    "bh": ("Benjamini-Hochberg 法", "Benjamini-Hochberg"),
    "fdr_bh": ("Benjamini-Hochberg 法", "Benjamini-Hochberg"),
    "none": ("不校正", "no adjustment"),
}


def p_adjust_label(method: object, lang: Lang) -> str:
    """How a p-value adjustment is named: ``"holm"`` -> ``Holm 法`` / ``Holm``."""
    pair = P_ADJUST.get(str(method if method is not None else "none").lower())
    return str(method) if pair is None else pair[0 if lang == "zh" else 1]


#: Statistical symbols of effect sizes, the same in both languages.
EFFECT_SYMBOLS: Mapping[str, str] = {
    "omega2": "ω²",
    "eta2": "η²",
    "epsilon2": "ε²",
    "epsilon2_h": "ε²_H",
    "hedges_g": "Hedges g",
    "cohen_d": "Cohen d",
    "rank_biserial": "r_rb",
}


def effect_label(effect_type: object) -> str:
    """The symbol of an effect size (``"omega2"`` -> ``ω²``); the id itself when unknown."""
    return EFFECT_SYMBOLS.get(str(effect_type), str(effect_type))


#: Why rows were set aside: the start of each library message -> (Chinese, English) category.
QUARANTINE_PROBLEMS: tuple[tuple[str, str, str], ...] = (
    ("answer not on scale", "答案不在量表范围内", "answer not on the scale"),
    ("empty respondent id", "受访者编号为空", "empty respondent id"),
    ("respondent id repeats", "受访者编号重复", "repeated respondent id"),
    ("a formula without a saved value", "公式单元格未保存数值", "formula without a saved value"),
    ("cannot read the answering time", "无法读取作答用时", "unreadable answering time"),
    ("weight must be a number", "权重不是非负数", "weight not a number >= 0"),
    ("empty text", "文本为空", "empty text"),
    ("empty document", "文本为空", "empty text"),
    ("no metadata", "元数据不匹配", "unmatched metadata"),
    ("not in the metadata", "元数据不匹配", "unmatched metadata"),
)


def problem_label(problem: object, lang: Lang) -> str:
    """The category of a quarantine message, as a short label.

    The full message stays in ``tables/*_quarantine.csv``; reports show the category
    (``答案不在量表范围内``). An unknown message shows as itself in English and as
    ``其他问题`` in Chinese.
    """
    text = str(problem)
    for start, zh, en in QUARANTINE_PROBLEMS:
        if text.lower().startswith(start):
            return zh if lang == "zh" else en
    return "其他问题" if lang == "zh" else text


# why compare_groups chose a method (the ``reason`` column): message pattern -> Chinese
_REASONS_ZH: tuple[tuple[str, str], ...] = (
    (
        r"auto: only (\d+) distinct values, but weights were given and rank tests cannot "
        r"take them, so Welch's ANOVA on weighted means",
        r"自动选择：仅 \1 个不同取值，但给出了权重而秩检验不能加权，"
        "故对加权均值采用 Welch 方差分析",
    ),
    (
        r"auto: only (\d+) distinct values, so ranks are compared \(Kruskal-Wallis\)",
        r"自动选择：仅 \1 个不同取值，故比较秩次（Kruskal-Wallis 检验）",
    ),
    (
        r"auto: Welch's ANOVA, robust to unequal variances and group sizes without a "
        r"variance pre-test \(Delacre et al\., 2019\)",
        "自动选择：Welch 方差分析，对方差不齐与各组样本量不等稳健，无须方差齐性预检验"
        "（Delacre 等，2019）",
    ),
    (r"requested", "按设定"),
    (r"fewer than two groups with at least 2 values", "至少含 2 个值的组不足两个，未检验"),
    (r"not computed: no variation within (\d+) group\(s\)", r"未计算：\1 个组内无变异"),
    (
        r"bootstrap CI not available from sufficient statistics \(it resamples raw rows\)",
        "由充分统计量无法得到自助法置信区间（须重抽原始数据行）",
    ),
)


def reason_label(reason: object, lang: Lang) -> str:
    """Why a method was chosen, in ``lang``: the library's English message, or its Chinese.

    Messages are ``;``-separated parts; each known part is translated, an unknown part
    (a message this vocabulary does not know yet) is kept as it is rather than hidden.

    Examples
    --------
    >>> reason_label("requested", "zh")
    '按设定'
    """
    import re

    text = str(reason)
    if lang != "zh":
        return text
    parts = []
    for part in (p.strip() for p in text.split(";")):
        for pattern, zh in _REASONS_ZH:
            if re.fullmatch(pattern, part):
                parts.append(re.sub(pattern, zh, part))
                break
        else:
            parts.append(part)
    return "；".join(parts)


def value_label(column: str, value: object, lang: Lang) -> str:
    """How a categorical ``value`` of ``column`` is shown in ``lang``.

    Method names, effect-size symbols, selection reasons, quarantine problems, missing-data
    rules, exclusion reasons and the other coded values of the toolkit's tables; any other
    value is returned as text.

    Examples
    --------
    >>> value_label("reason", "speeder", "zh"), value_label("missing", "pairwise", "zh")
    ('作答过快', '成对删除')
    >>> value_label("method", "welch", "zh"), value_label("effect_type", "omega2", "en")
    ('Welch 方差分析', 'ω²')
    """
    text = str(value)
    if column == "effect_type":
        return effect_label(text)
    if column == "method":
        return method_label(text, lang)
    if column == "p_adjust":
        return p_adjust_label(text, lang)
    if column == "problem":
        return problem_label(text, lang)
    if lang != "zh":
        return text
    labels = _VALUE_LABELS_ZH.get(column, {})
    if text in labels:
        return labels[text]
    if column == "reason":
        return reason_label(text, lang)
    return text


#: Sheet names of the report workbook: table -> (Chinese, English); each at most 31 characters.
TABLE_LABELS: Mapping[str, tuple[str, str]] = {
    "survey_descriptives": ("问卷得分描述统计", "Survey descriptives"),
    "reliability": ("信度分析", "Reliability"),
    "item_analysis": ("题目分析", "Item analysis"),
    "survey_compare": ("问卷得分社区间比较", "Survey comparisons"),
    "survey_posthoc": ("问卷得分事后两两比较", "Survey pairwise comparisons"),
    "text_descriptives": ("文本得分描述统计", "Text descriptives"),
    "text_compare": ("文本得分社区间比较", "Text comparisons"),
    "text_scores": ("文本得分", "Text scores"),
    "text_labels": ("文件主要维度", "Document main dimensions"),
    "text_quarantine": ("文本隔离记录", "Text quarantine"),
    "satisfaction": ("满意率与满意度指数", "Satisfaction"),
    **MEASUREMENT_TABLES,
}
