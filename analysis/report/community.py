"""Per-community reports: each community's document and radar, written by a worker pool.

:func:`group_document` puts one community's scores beside all communities', with its own
documents and answers; :func:`build_group_reports` writes one report per community, in
spawned worker processes when ``jobs > 1`` (the functions they run stay module-level, so
that they pickle by path).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from analysis.core.apa import format_p
from analysis.core.words import Lang
from analysis.report.compose import (
    ReportInputs,
    _fmt,
    _label,
    _numbered,
    _numbered_sections,
    _open_section,
    _table,
    _text_section,
    _title,
)
from analysis.report.document import Figure, ReportDocument, Section, t
from analysis.report.headline import satisfaction_sentence
from analysis.report.privacy import safe_filename, suppress_small

__all__ = ["build_group_reports", "group_document", "group_documents", "group_radar_figures"]


def group_radar_figures(
    inputs: ReportInputs, groups: Iterable[str], *, lang: str
) -> dict[str, bytes]:
    """One radar per community (its scores against the overall mean), as PNG bytes."""
    import base64

    from analysis.report.charts.groups import plot_radar
    from analysis.report.charts.output import figure_to_base64_png

    desc = inputs.tables.get("survey_descriptives")
    if desc is None or not len(desc):
        return {}
    shown = suppress_small(desc, min_cell=inputs.min_cell)
    figures: dict[str, bytes] = {}
    for g in groups:
        own = shown[shown["group"] == g]
        if not len(own) or bool(own["suppressed"].all()):
            continue
        ax = plot_radar(shown, groups=[g], lang=lang, framework=inputs.framework)  # type: ignore[arg-type]
        figures[f"radar::{g}"] = base64.b64decode(figure_to_base64_png(ax, close=True))
    return figures


def _pairs(inputs: ReportInputs) -> Any:
    """Pairs of communities per dimension: the post hoc pairs, or with two communities
    (a t test, no post hoc section) the one pair of the t test, with its p adjusted across
    dimensions."""
    import pandas as pd

    post = inputs.tables.get("survey_posthoc")
    table = inputs.tables.get("survey_compare")
    desc = inputs.tables.get("survey_descriptives")
    if table is None or desc is None or "dimension" not in table.columns:
        return post
    rows = []
    for r in table[table["method"].isin(("welch_t", "student_t"))].itertuples():
        two = desc[desc["dimension"] == r.dimension].sort_values("group")
        if len(two) != 2:
            continue
        a, b = two.iloc[0], two.iloc[1]
        rows.append(
            {
                "dimension": r.dimension,
                "group_a": a["group"],
                "group_b": b["group"],
                "diff": float(b["mean"] - a["mean"]),
                "p_adj": r.p_adj,
            }
        )
    if not rows:
        return post
    extra = pd.DataFrame(rows)
    return extra if post is None or not len(post) else pd.concat([post, extra])


def _comparison_section(inputs: ReportInputs, counter: list[int], group: str) -> Section | None:
    """The pairs in which this community differs significantly from another.

    One sentence per dimension names the communities this one is above or below, and one
    table gives each difference (this community minus the other), its 95% CI and the
    adjusted p: with eight communities, a dimension would otherwise take seven sentences
    that differ only in a name and two numbers.
    """
    import math

    post = _pairs(inputs)
    if post is None or not len(post):
        return None
    lang = inputs.lang
    mine = post[((post["group_a"] == group) | (post["group_b"] == group)) & (post["p_adj"] < 0.05)]
    if not len(mine):
        return None
    rows: list[tuple[str, ...]] = []
    above: dict[str, list[str]] = {}
    below: dict[str, list[str]] = {}
    dims = inputs.framework.order(mine["dimension"])
    for dim in dims:
        for r in mine[mine["dimension"] == dim].itertuples():
            other = str(r.group_b if r.group_a == group else r.group_a)
            # diff = mean(b) - mean(a); from this community's side: own - other
            sign = -1.0 if r.group_a == group else 1.0
            gap = sign * r.diff
            (above if gap > 0 else below).setdefault(dim, []).append(other)
            lo, hi = (getattr(r, "ci_low", math.nan), getattr(r, "ci_high", math.nan))
            lo, hi = sorted((sign * lo, sign * hi))
            ci = f"[{_fmt(lo)}, {_fmt(hi)}]" if not (math.isnan(lo) or math.isnan(hi)) else "—"
            rows.append(
                (_label(inputs, dim), other, _fmt(gap), ci, format_p(r.p_adj, prefix=False))
            )
    table = _table(
        inputs,
        counter,
        t("pairs_table", lang),  # type: ignore[arg-type]
        tuple(t(k, lang) for k in ("dimension", "other", "difference", "ci", "p_adj")),  # type: ignore[arg-type]
        rows,
        t("pairs_note", lang),  # type: ignore[arg-type]
    )
    number = counter[0]
    sentences = []
    for dim in dims:
        parts = [
            t(key, lang, names=_names(groups, lang))  # type: ignore[arg-type]
            for key, groups in (("higher", above.get(dim)), ("lower", below.get(dim)))
            if groups
        ]
        joined = ("，" if lang == "zh" else ", and ").join(parts)
        sentences.append(
            t("pairs_sentence", lang, dim=_label(inputs, dim), parts=joined, n=number)  # type: ignore[arg-type]
        )
    return Section(t("comparisons", lang), tuple(sentences), (table,))  # type: ignore[arg-type]


def _names(groups: Sequence[str], lang: str) -> str:
    """``A、B和C`` or ``A, B and C``."""
    if len(groups) == 1:
        return groups[0]
    if lang == "zh":
        return "、".join(groups[:-1]) + "和" + groups[-1]
    return ", ".join(groups[:-1]) + " and " + groups[-1]


def group_document(inputs: ReportInputs, group: str) -> ReportDocument:
    """The report of one community: its scores against all communities, its documents."""
    lang = inputs.lang
    counter, fig = [0], [0]
    sections: list[Section] = []
    desc = inputs.tables.get("survey_descriptives")
    overall_table = inputs.tables.get("survey_overall")
    if desc is not None and overall_table is not None:
        own = desc[desc["group"] == group]
        n = int(own["n"].max()) if len(own) else 0
        if n < inputs.min_cell:
            paras = (
                f"本社区有效样本 {n} 份，少于 {inputs.min_cell} 份，为保护受访者隐私不报告得分。"
                if lang == "zh"
                else f"This community has {n} valid responses, fewer than {inputs.min_cell}; "
                "scores are not reported to protect respondents.",
            )
            sections.append(Section(t("scores", lang), paras))
        else:
            overall = overall_table.set_index("dimension")
            rank = desc.assign(r=desc.groupby("dimension")["mean"].rank(ascending=False))
            rank = rank[rank["group"] == group].set_index("dimension")["r"]
            k = desc["group"].nunique()
            rows = []
            for r in own.itertuples():
                rows.append(
                    (
                        _label(inputs, r.dimension),
                        str(int(r.n)),
                        _fmt(r.mean),
                        f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]",
                        _fmt(overall.loc[r.dimension, "mean"])
                        if r.dimension in overall.index
                        else "",
                        f"{int(rank.get(r.dimension, 0))}/{k}",
                    )
                )
            cols = (
                t("dimension", lang),
                t("n", lang),
                t("mean", lang),
                t("ci", lang),
                t("overall", lang),
                t("rank", lang),
            )
            figures = []
            if f"radar::{group}" in inputs.figures:
                figures.append(
                    Figure(
                        _numbered("fig_group_radar", lang, fig), inputs.figures[f"radar::{group}"]
                    )
                )
            headline = satisfaction_sentence(inputs, group)
            sections.append(
                Section(
                    t("scores", lang),
                    (headline,) if headline else (),
                    (
                        _table(
                            inputs,
                            counter,
                            "本社区各维度得分"
                            if lang == "zh"
                            else "Dimension scores of this community",
                            cols,
                            rows,
                        ),
                    ),
                    tuple(figures),
                )
            )
            section = _comparison_section(inputs, counter, group)
            if section is not None:
                sections.append(section)
    for section in (
        _text_section(inputs, counter, fig, group=group),
        _open_section(inputs, counter, group=group),
    ):
        if section is not None:
            sections.append(section)
    title = t("group_title", lang, group=group)  # type: ignore[arg-type]
    return ReportDocument(
        title,
        _title(inputs),
        lang,  # type: ignore[arg-type]
        _numbered_sections(sections, lang),
        inputs.group_colophon,
        running_head=f"{_title(inputs)}　{title}" if lang == "zh" else f"{_title(inputs)}: {group}",
    )


def _render(
    doc: ReportDocument, stem: Path, formats: Sequence[str], *, font_css: str | None = None
) -> list[str]:
    from analysis.report.render import write_docx, write_html

    # with_name, not with_suffix: a community name may itself contain a dot ("1.5 期")
    written = []
    if "html" in formats:
        path = stem.with_name(stem.name + ".html")
        written.append(str(write_html(doc, path, font_css=font_css)))
    if "docx" in formats:
        written.append(str(write_docx(doc, stem.with_name(stem.name + ".docx"))))
    return written


_PENDING = b""  # the bytes of a radar not drawn yet (no drawn chart is empty)


def group_documents(inputs: ReportInputs, groups: Iterable[str]) -> dict[str, ReportDocument]:
    """Each community's document with its radar pending: built once for the font subset
    and the report, the radar's bytes put in when it is drawn (:func:`_group_report`)."""
    pending = {**inputs.figures, **{f"radar::{g}": _PENDING for g in groups}}
    return {g: group_document(replace(inputs, figures=pending), g) for g in groups}


def _with_radar(doc: ReportDocument, png: bytes) -> ReportDocument:
    def drawn(figures: tuple[Figure, ...]) -> tuple[Figure, ...]:
        return tuple(replace(f, png=png) if f.png == _PENDING else f for f in figures)

    return replace(doc, sections=tuple(replace(s, figures=drawn(s.figures)) for s in doc.sections))


def report_glyphs(
    inputs: ReportInputs,
    groups: Iterable[str],
    documents: Mapping[str, ReportDocument] | None = None,
) -> str:
    """Every character the reports of ``groups`` show, for one embedded font subset
    (from ``documents`` when given, as :func:`group_documents` builds them)."""
    from analysis.report.render import document_text

    groups = list(groups)
    docs = documents if documents is not None else group_documents(inputs, groups)
    # the radar's title, in case a community's document has no radar
    text = "".join(document_text(docs[g]) for g in groups)
    fig = [0]
    text += _numbered("fig_group_radar", inputs.lang, fig)  # type: ignore[arg-type]
    return "".join(sorted(set(text)))


# Worker processes receive the shared inputs once, through the pool initializer, instead
# of with every task: a study's tables and figures are large next to a community's name.
_WORKER: dict[str, Any] = {}


def _init_worker(inputs: ReportInputs, formats: tuple[str, ...], font_css: str) -> None:
    _WORKER.update(inputs=inputs, formats=formats, font_css=font_css)


def _group_report(
    job: tuple[str, Path],
    inputs: ReportInputs | None = None,
    formats: tuple[str, ...] | None = None,
    font_css: str | None = None,
    document: ReportDocument | None = None,
) -> list[str]:
    """Draw one community's radar and write its report; runs in a worker or inline.

    ``document``, built by :func:`group_documents`, gets the radar; without it (or without
    a radar) the document is built here."""
    group, stem = job
    inputs = inputs if inputs is not None else _WORKER["inputs"]
    formats = formats if formats is not None else _WORKER["formats"]
    font_css = font_css if font_css is not None else _WORKER["font_css"]
    radar = group_radar_figures(inputs, [group], lang=inputs.lang)
    if document is not None and f"radar::{group}" in radar:
        doc = _with_radar(document, radar[f"radar::{group}"])
    else:
        doc = group_document(replace(inputs, figures={**inputs.figures, **radar}), group)
    return _render(doc, stem, formats, font_css=font_css)


def build_group_reports(
    inputs: ReportInputs,
    groups: Sequence[str],
    folder: Path,
    *,
    formats: Sequence[str] = ("html", "docx"),
    jobs: int = 1,
    progress: bool = False,
    font_css: str | None = None,
    documents: Mapping[str, ReportDocument] | None = None,
) -> list[str]:
    """Write one report per community into ``folder``, in parallel when ``jobs > 1``.

    File names are made from community names with :func:`~analysis.report.privacy.safe_filename`,
    so every file stays inside ``folder``. With ``jobs > 1`` the reports are shared between
    this process and ``jobs - 1`` workers (:func:`analysis.core.parallel.share`), started
    with the "spawn" method, which behaves the same on Linux, macOS and Windows.

    Parameters
    ----------
    font_css
        The ``@font-face`` rule the HTML reports embed. Default: one subset of the CJK font
        for the characters of every report of the batch, computed once (a subset takes
        seconds; a run passes one for its study report and every community's together).
    documents
        The communities' documents from :func:`group_documents` (already built for the
        font subset), used by the reports written in this process.

    Returns
    -------
    list of str
        Paths written, in the order of ``groups``.
    """

    from analysis.core.parallel import share
    from analysis.core.progress import progress_bar
    from analysis.core.words import message
    from analysis.report.render import font_css_for

    lang: Lang = "zh" if inputs.lang == "zh" else "en"
    folder.mkdir(parents=True, exist_ok=True)
    formats = tuple(f for f in formats if f in ("html", "docx"))
    jobs_list = [(g, folder / safe_filename(g)) for g in groups]
    if font_css is None and "html" in formats:
        documents = group_documents(inputs, groups) if documents is None else documents
        font_css = font_css_for(report_glyphs(inputs, groups, documents))
    font_css = font_css or ""
    documents = documents or {}
    done: list[list[str]] = [[] for _ in jobs_list]
    bar = progress_bar(show=progress, total=len(groups), desc=message("bar_reports", lang))
    if jobs > 1 and len(groups) > 1:

        def here(job: tuple[str, Path]) -> list[str]:
            return _group_report(job, inputs, formats, font_css, documents.get(job[0]))

        for k, paths, _ in share(
            _group_report,
            here,
            jobs_list,
            jobs=min(jobs, len(groups)),
            initializer=_init_worker,
            initargs=(inputs, formats, font_css),
            start_method="spawn",
        ):
            done[k] = paths
            bar.update()
    else:
        for k, job in enumerate(jobs_list):
            done[k] = _group_report(job, inputs, formats, font_css, documents.get(job[0]))
            bar.update()
    bar.close()
    return [p for paths in done for p in paths]
