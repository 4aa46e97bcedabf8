"""Report documents from plain report inputs: the study report, section by section.

:class:`ReportInputs` holds what a report needs as picklable plain data (tables, counts,
parameters, figures); :func:`study_document` turns it into a
:class:`~analysis.report.document.ReportDocument`. The sections here also make up the
per-community documents of :mod:`analysis.report.community`.

Privacy is on by default: reports show aggregates only, groups smaller than ``min_cell`` are
suppressed and marked, phone and ID numbers inside quoted text are masked, and personal
columns (IP, nickname, user id) never reach a report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from analysis.core.apa import format_number, format_p
from analysis.core.dimensions import Framework
from analysis.core.words import (
    COLUMN_LABELS,
    effect_label,
    message,
    method_label,
    p_adjust_label,
    value_label,
)
from analysis.report import text_labels
from analysis.report.document import (
    Figure,
    ReportDocument,
    Section,
    Table,
    numbered,
    t,
)
from analysis.report.headline import satisfaction_sentence
from analysis.report.measurement_section import measurement_section
from analysis.report.methods import methods_section
from analysis.report.privacy import mask_pii, masking_sentence, suppress_small

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ReportInputs", "overall_scores", "study_document"]


@dataclass(frozen=True)
class ReportInputs:
    """What a report needs, as picklable plain data (sent to worker processes)."""

    title: str
    title_en: str
    lang: str
    min_cell: int
    framework: Framework
    tables: Mapping[str, pd.DataFrame]
    counts: Mapping[str, int]
    params: Mapping[str, Any]
    summaries: Mapping[str, str]
    figures: Mapping[str, bytes]
    colophon: tuple[tuple[str, str], ...]
    group_label: str = "community"
    resident_quotes: bool = False
    #: colophon of the per-community reports: no input hashes (they name other
    #: communities' files); the study report and the manifest keep them
    group_colophon: tuple[tuple[str, str], ...] = ()


def _fmt(value: Any, digits: int = 2) -> str:
    return format_number(value, digits)


def _title(inputs: ReportInputs) -> str:
    return inputs.title if inputs.lang == "zh" else inputs.title_en


def _label(inputs: ReportInputs, dim: str) -> str:
    return inputs.framework.label(dim, inputs.lang)  # type: ignore[arg-type]


def _numbered(kind: str, lang: str, counter: list[int], **kw: Any) -> str:
    counter[0] += 1
    return t(kind, lang, n=counter[0], **kw)  # type: ignore[arg-type]


def _table(
    inputs: ReportInputs,
    counter: list[int],
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    note: str = "",
) -> Table:
    caption = _numbered("tab", inputs.lang, counter, title=title)
    return Table(caption, tuple(columns), tuple(tuple(str(c) for c in r) for r in rows), note)


def overall_scores(scores: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Overall mean, sd and t-based 95% CI per dimension, across all respondents.

    Reports take this table (``survey_overall``), computed once per run, rather than the
    respondent-level scores: each community report would otherwise pass over every score
    again, and every worker process would receive all of them.
    """
    import numpy as np
    from scipy import stats

    rows = []
    for dim, grp in scores.dropna(subset=["score"]).groupby("dimension", sort=False):
        x = grp["score"].to_numpy(float)
        n = len(x)
        mean = float(x.mean()) if n else np.nan
        sd = float(x.std(ddof=1)) if n > 1 else np.nan
        half = float(stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)) if n > 1 else np.nan
        rows.append(
            {
                "dimension": dim,
                "n": n,
                "mean": mean,
                "sd": sd,
                "ci_low": mean - half,
                "ci_high": mean + half,
            }
        )
    import pandas as pd

    out = pd.DataFrame(rows)
    if len(out):
        out["_o"] = out["dimension"].map({d: i for i, d in enumerate(framework.ids)})
        out = out.sort_values("_o").drop(columns="_o").reset_index(drop=True)
    return out


def _grid_rows(
    frame: pd.DataFrame,
    groups: Sequence[str],
    dims: Sequence[str],
    cell: Callable[[Any], str],
    lang: str,
) -> list[tuple[str, ...]]:
    """One row per group: name, n, then ``cell(row)`` per dimension.

    A group whose rows are all ``suppressed`` shows the suppression mark instead of values.
    """
    rows: list[tuple[str, ...]] = []
    for g in groups:
        sub = frame[frame["group"] == g].set_index("dimension")
        if not len(sub):
            continue
        n = str(int(sub["n"].max()))
        if "suppressed" in sub.columns and bool(sub["suppressed"].all()):
            rows.append((str(g), n, t("suppressed", lang), *[""] * (len(dims) - 1)))  # type: ignore[arg-type]
            continue
        rows.append((str(g), n, *[cell(sub.loc[d]) if d in sub.index else "" for d in dims]))
    return rows


def _sample_section(inputs: ReportInputs, counter: list[int]) -> Section:
    lang, c = inputs.lang, inputs.counts
    paras = []
    if "survey_rows" in c:
        if lang == "zh":
            paras.append(
                f"问卷共读入 {c['survey_rows']} 行答卷，"
                f"其中 {c.get('survey_quarantined', 0)} 行因答案不在量表范围内等问题被隔离，"
                f"{c.get('survey_excluded', 0)} 行因质量筛查被排除，"
                f"最终纳入分析 {c.get('survey_respondents', 0)} 份。"
            )
        else:
            paras.append(
                f"The survey export had {c['survey_rows']} rows: {c.get('survey_quarantined', 0)} "
                f"were quarantined (answers off the scale and similar problems), "
                f"{c.get('survey_excluded', 0)} were excluded by quality screens, and "
                f"{c.get('survey_respondents', 0)} were analysed."
            )
        if c.get("survey_no_group"):
            paras.append(
                f"其中 {c['survey_no_group']} 位受访者未填写所在社区：其答卷计入得分与信度分析，"
                "但不参与社区间比较。"
                if lang == "zh"
                else f"{c['survey_no_group']} of them gave no community: their answers count "
                "in the scores and reliability, but not in the comparisons of communities."
            )
    if "documents" in c:
        paras.append(
            f"文本共 {c['documents']} 篇纳入分析，{c.get('documents_quarantined', 0)} 项因空文本或"
            "元数据不匹配被隔离。"
            if lang == "zh"
            else f"{c['documents']} documents were scored; {c.get('documents_quarantined', 0)} "
            "entries were quarantined (empty text or unmatched metadata)."
        )
    if c.get("values_masked"):
        paras.append(masking_sentence(c["values_masked"], lang))
    tables = []
    reasons: list[tuple[str, int]] = []
    excl = inputs.tables.get("survey_exclusions")
    if excl is not None and len(excl):
        reasons += [
            (f"{t('excluded', lang)}{value_label('reason', r, lang)}", int(n))  # type: ignore[arg-type]
            for r, n in excl["reason"].value_counts().sort_index().items()
        ]
    quar = inputs.tables.get("survey_quarantine")
    if quar is not None and len(quar):
        # the full message (with the row's value) stays in tables/; a report shows its kind
        kinds = quar.assign(kind=quar["problem"].map(lambda x: value_label("problem", x, lang)))  # type: ignore[arg-type]
        reasons += [
            (f"{t('quarantined', lang)}{r}", int(n))  # type: ignore[arg-type]
            for r, n in kinds.groupby("kind")["row"].nunique().sort_index().items()
        ]
    if reasons:
        tables.append(
            _table(
                inputs,
                counter,
                "排除与隔离原因" if lang == "zh" else "Exclusions and quarantine",
                (t("reason", lang), t("count", lang)),
                [(r, str(n)) for r, n in reasons],
            )
        )
    return Section(t("sample", lang), tuple(paras), tuple(tables))


def _reliability_section(inputs: ReportInputs, counter: list[int]) -> Section | None:
    rel = inputs.tables.get("reliability")
    if rel is None or not len(rel):
        return None
    lang = inputs.lang
    rows = [
        (
            _label(inputs, r.dimension),
            str(int(r.n_items)),
            str(int(r.n)),
            _fmt(r.alpha),
            f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]",
        )
        for r in rel.itertuples()
    ]
    cols = (
        t("dimension", lang),
        t("n_items", lang),
        t("n", lang),
        t("alpha", lang),
        t("alpha_ci", lang),
    )
    missing = str(rel["missing"].iloc[0]) if "missing" in rel.columns else "pairwise"
    rule = value_label("missing", missing, lang)  # type: ignore[arg-type]
    note = (
        f"注：置信区间采用 Feldt 方法；缺失值按{rule}方式处理。"
        if lang == "zh"
        else f"Note: Feldt confidence intervals; missing answers handled {rule}."
    )
    table = _table(
        inputs,
        counter,
        "各维度信度" if lang == "zh" else "Reliability by dimension",
        cols,
        rows,
        note,
    )
    return Section(t("reliability", lang), (), (table,))


def _scores_section(inputs: ReportInputs, counter: list[int], fig: list[int]) -> Section | None:
    overall = inputs.tables.get("survey_overall")
    desc = inputs.tables.get("survey_descriptives")
    if overall is None or desc is None:
        return None
    lang = inputs.lang
    rows = [
        (
            _label(inputs, r.dimension),
            str(int(r.n)),
            _fmt(r.mean),
            _fmt(r.sd),
            f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]",
        )
        for r in overall.itertuples()
    ]
    cols = (t("dimension", lang), t("n", lang), t("mean", lang), t("sd", lang), t("ci", lang))
    tables = [
        _table(
            inputs,
            counter,
            "各维度满意度总体得分" if lang == "zh" else "Overall dimension scores",
            cols,
            rows,
            "注：得分范围 1–5，分数越高越满意。"
            if lang == "zh"
            else "Note: scores range from 1 to 5; higher is more satisfied.",
        )
    ]
    shown = suppress_small(desc, min_cell=inputs.min_cell)
    groups = list(dict.fromkeys(shown["group"]))
    dims = inputs.framework.order(shown["dimension"])
    grid_rows = _grid_rows(shown, groups, dims, lambda r: _fmt(r["mean"]), lang)
    tables.append(
        _table(
            inputs,
            counter,
            "各社区各维度得分均值" if lang == "zh" else "Mean scores by community and dimension",
            (t("community", lang), t("n", lang), *[_label(inputs, d) for d in dims]),
            grid_rows,
            f"注：样本量少于 {inputs.min_cell} 的社区不予显示。"
            if lang == "zh"
            else f"Note: communities with fewer than {inputs.min_cell} respondents are not shown.",
        )
    )
    figures = []
    for key, caption in (
        ("radar", "fig_radar"),
        ("means_ci", "fig_means"),
        ("heatmap", "fig_heatmap"),
    ):
        if key in inputs.figures:
            figures.append(Figure(_numbered(caption, lang, fig), inputs.figures[key]))
    paras = tuple(p for p in (satisfaction_sentence(inputs, "all"),) if p)
    return Section(t("scores", lang), paras, tuple(tables), tuple(figures))


def _compare_rows(inputs: ReportInputs, table: pd.DataFrame) -> list[tuple[str, ...]]:
    rows = []
    for r in table.itertuples():
        df2 = getattr(r, "df2", float("nan"))
        # one df: Kruskal-Wallis (an integer) or a t test (Welch's df has decimals)
        df1 = _fmt(r.df1, 0 if float(r.df1).is_integer() else 2)
        df = df1 if df2 != df2 else f"{_fmt(r.df1, 0)}, {_fmt(df2, 2)}"
        rows.append(
            (
                _label(inputs, r.dimension),
                method_label(r.method, inputs.lang),  # type: ignore[arg-type]
                _fmt(r.statistic),
                df,
                format_p(r.p_value, prefix=False),
                format_p(r.p_adj, prefix=False),
                f"{effect_label(r.effect_type)} = {_fmt(r.effect_size)}",
            )
        )
    return rows


def _comparison_section(inputs: ReportInputs, counter: list[int]) -> Section | None:
    table = inputs.tables.get("survey_compare")
    if table is None:
        return None
    lang = inputs.lang
    cols = (
        t("dimension", lang),
        t("test", lang),
        t("statistic", lang),
        t("df", lang),
        t("p", lang),
        t("p_adj", lang),
        t("effect", lang),
    )
    adj = p_adjust_label(inputs.params.get("compare", {}).get("p_adjust", "holm"), lang)  # type: ignore[arg-type]
    tab = _table(
        inputs,
        counter,
        "社区间差异检验" if lang == "zh" else "Differences between communities",
        cols,
        _compare_rows(inputs, table),
        f"注：p 值经 {adj}跨维度校正。"
        if lang == "zh"
        else f"Note: p values adjusted across dimensions ({adj}).",
    )
    paras = [p for p in inputs.summaries.get("survey", "").split("\n") if p.strip()]
    return Section(t("comparisons", lang), tuple(paras), (tab,))


def _evidence(inputs: ReportInputs, group: str | None, per_dim: int = 2) -> list[str]:
    hits = inputs.tables.get("text_hits")
    if hits is None or not len(hits):
        return []
    col = inputs.group_label
    if group is not None and col in hits.columns:
        hits = hits[hits[col] == group]
    # per dimension, the first rows of distinct contexts (drop_duplicates, head), one pass
    dims = inputs.framework.ids
    picked: dict[str, list[tuple[Any, Any, Any]]] = {d: [] for d in dims}
    seen: dict[str, set[Any]] = {d: set() for d in dims}
    negated = hits["negated"].tolist() if "negated" in hits.columns else [False] * len(hits)
    columns = (hits["dimension"].tolist(), hits["term"].tolist(), hits["context"].tolist())
    full = 0
    for dim, term, context, neg in zip(*columns, negated, strict=True):
        rows = picked.get(dim)
        if rows is None or len(rows) >= per_dim:
            continue
        key = None if context is None or context != context else context  # NaN: one value
        if key in seen[dim]:
            continue
        seen[dim].add(key)
        rows.append((term, context, neg))
        full += len(rows) == per_dim
        if full == len(picked):
            break
    quotes = []
    for dim in dims:
        for term, context, neg in picked[dim]:
            # a negated mention ("没有一站式服务") is evidence of absence: say so
            mark = ("（否定语境）" if inputs.lang == "zh" else " (negated)") if neg else ""
            quotes.append(f"【{_label(inputs, dim)}·{term}{mark}】{mask_pii(str(context))}")
    return quotes


def _text_section(
    inputs: ReportInputs, counter: list[int], fig: list[int], group: str | None = None
) -> Section | None:
    desc = inputs.tables.get("text_descriptives")
    if desc is None:
        return None
    lang = inputs.lang
    dims = inputs.framework.order(desc["dimension"])
    groups = [group] if group is not None else list(dict.fromkeys(desc["group"]))
    rows = _grid_rows(desc, groups, dims, lambda r: _fmt(r["mean"], 1), lang)
    tables = [
        _table(
            inputs,
            counter,
            "各社区文本中各维度的强调程度（每千词命中）"
            if lang == "zh"
            else "Dimension emphasis in documents (weighted hits per 1,000 tokens)",
            (t("community", lang), t("docs", lang), *[_label(inputs, d) for d in dims]),
            rows,
        )
    ]
    labels = _label_table(inputs, counter, groups)
    if labels is not None:
        tables.append(labels)
    paras = []
    lex = inputs.params.get("lexicon", {})
    if lex:
        paras.append(
            f"文本按“{lex.get('name')}”词典（版本 {lex.get('version')}）计分，得分为每千个内容词中"
            "的加权命中数。"
            if lang == "zh"
            else f"Documents were scored with the lexicon '{lex.get('name')}' (version "
            f"{lex.get('version')}); a score is weighted hits per 1,000 content tokens."
        )
    if group is None:
        paras += [p for p in inputs.summaries.get("text", "").split("\n") if p.strip()]
        untested = inputs.params.get("text_untested")
        if untested:  # communities with too few documents: described, not tested
            names = ("、" if lang == "zh" else ", ").join(untested["groups"])
            paras.append(
                message("few_documents", lang, n=len(untested["groups"]), min=untested["min"])
                + names
                + ("。" if lang == "zh" else ".")
            )
    figures = []
    if group is None and "text_heatmap" in inputs.figures:
        figures.append(Figure(_numbered("fig_text", lang, fig), inputs.figures["text_heatmap"]))
    quotes = _evidence(inputs, group)
    return Section(
        t("texts", lang),
        tuple(paras),
        tuple(tables),
        tuple(figures),
        tuple(quotes),
        t("evidence", lang) + ("：" if lang == "zh" else ":"),
    )


def _label_table(inputs: ReportInputs, counter: list[int], groups: Sequence[str]) -> Any:
    """Documents per community by their primary dimension (the classifier's label)."""
    labels, lang = inputs.tables.get("text_labels"), inputs.lang
    if labels is None or not len(labels):
        return None
    dims = [_label(inputs, d) for d in inputs.framework.ids]
    caption, head = text_labels.label_caption(lang), text_labels.label_headers(lang, dims)
    rows = text_labels.label_counts(labels, groups, inputs.framework.ids)
    return _table(inputs, counter, caption, head, rows)


def _open_shares(inputs: ReportInputs) -> pd.DataFrame | None:
    """Per group and dimension: answers, and the share of answers that touch the dimension.

    A run computes them once (the ``open_shares`` table, from
    :func:`~analysis.report.text_labels.open_answer_shares`); from the answers' scores
    otherwise.
    """
    shares = inputs.tables.get("open_shares")
    if shares is not None:
        return shares if len(shares) else None
    return text_labels.open_answer_shares(inputs.tables.get("open_scores"), inputs.min_cell)


def _open_section(
    inputs: ReportInputs, counter: list[int], group: str | None = None
) -> Section | None:
    shares = _open_shares(inputs)
    if shares is None:
        return None
    lang = inputs.lang
    dims = [d for d in inputs.framework.order(shares["dimension"]) if d != "none"]
    groups = [group] if group is not None else list(dict.fromkeys(shares["group"]))
    rows = _grid_rows(shares, groups, [*dims, "none"], lambda r: f"{r['share'] * 100:.0f}%", lang)
    unclassified = COLUMN_LABELS["unclassified"][0 if lang == "zh" else 1]
    table = _table(
        inputs,
        counter,
        "居民意见涉及各维度的比例"
        if lang == "zh"
        else "Share of residents' answers touching each dimension",
        (
            t("community", lang),
            t("answers", lang),
            *[_label(inputs, d) for d in dims],
            unclassified,
        ),
        rows,
        f"注：一条意见可涉及多个维度；“{unclassified}”为不含任何维度词语的意见；"
        f"作答少于 {inputs.min_cell} 人的社区不予显示。"
        if lang == "zh"
        else f"Note: an answer can touch several dimensions; '{unclassified}' answers match "
        f"no dimension's terms; communities with fewer than {inputs.min_cell} answers are "
        "not shown.",
    )
    tables = [table]
    labelled = inputs.tables.get("open_label_shares")
    if labelled is not None and len(labelled):
        labelled = labelled[labelled["group"].isin(groups)]
        head = text_labels.answer_label_headers(
            lang, [_label(inputs, d) for d in dims], unclassified
        )
        tables.append(
            _table(
                inputs,
                counter,
                text_labels.answer_label_caption(lang),
                head,
                text_labels.answer_label_rows(
                    labelled,
                    groups,
                    dims,
                    inputs.min_cell,
                    lang,
                    inputs.params.get("open_questions"),
                ),
                text_labels.answer_label_note(
                    lang, str(labelled["method"].iloc[0]), inputs.min_cell
                )
                if len(labelled)
                else "",
            )
        )
    quotes: list[str] = []
    hits = inputs.tables.get("open_hits")
    if inputs.resident_quotes and hits is not None and len(hits):
        shown = set(shares.loc[~shares["suppressed"], "group"])
        hits = hits[hits["group"].isin(shown)]
        if group is not None:
            hits = hits[hits["group"] == group]
        for dim in inputs.framework.ids:
            for r in hits[hits["dimension"] == dim].drop_duplicates("context").head(2).itertuples():
                quotes.append(f"【{_label(inputs, dim)}】{mask_pii(str(r.context))}")
    return Section(
        t("open", lang),
        (),
        tuple(tables),
        (),
        tuple(quotes),
        "居民原话摘录（已遮蔽电话与身份证号）："
        if lang == "zh"
        else "In residents' words (phone and ID numbers masked):",
    )


def study_document(inputs: ReportInputs) -> ReportDocument:
    """The study-level report: sample, reliability, scores, comparisons, texts, methods."""
    counter, fig = [0], [0]
    sections = [_sample_section(inputs, counter)]
    for build in (
        lambda: _reliability_section(inputs, counter),
        lambda: measurement_section(inputs, counter),
        lambda: _scores_section(inputs, counter, fig),
        lambda: _comparison_section(inputs, counter),
        lambda: _text_section(inputs, counter, fig),
        lambda: _open_section(inputs, counter),
    ):
        section = build()
        if section is not None:
            sections.append(section)
    sections.append(methods_section(inputs))
    return ReportDocument(
        _title(inputs),
        t("report", inputs.lang),
        inputs.lang,  # type: ignore[arg-type]
        _numbered_sections(sections, inputs.lang),
        inputs.colophon,
    )


def _numbered_sections(sections: Sequence[Section], lang: str) -> tuple[Section, ...]:
    return tuple(
        replace(s, title=numbered(s.title, i, lang))  # type: ignore[arg-type]
        for i, s in enumerate(sections, start=1)
    )
