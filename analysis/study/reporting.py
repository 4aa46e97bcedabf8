"""A study run's reports, written from what actually ran.

:func:`build_reports` gathers a run's outputs into plain
:class:`~analysis.report.compose.ReportInputs` (:func:`report_inputs`) and writes the
formats the study asks for (HTML, DOCX, XLSX): the study report and, when asked, one report
per community (:mod:`analysis.report.community`), in parallel when ``jobs > 1``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core.dimensions import SERVICE_FIVE
from analysis.report.community import _render, build_group_reports, group_documents, report_glyphs
from analysis.report.compose import (
    ReportInputs,
    overall_scores,
    study_document,
)
from analysis.report.document import t
from analysis.report.order import group_order, order_tables
from analysis.report.privacy import suppress_small
from analysis.report.text_labels import open_answer_shares

if TYPE_CHECKING:
    from analysis.study.config import Study
    from analysis.study.outputs import StudyOutputs

__all__ = ["build_reports"]


#: Tables exported to the study workbook, in this order.
XLSX_TABLES = (
    "survey_descriptives",
    "reliability",
    "item_analysis",
    "satisfaction",
    "cfa_fit",
    "cfa_loadings",
    "cfa_validity",
    "invariance",
    "survey_compare",
    "survey_posthoc",
    "text_descriptives",
    "text_compare",
    "text_scores",
    "text_labels",
    "text_quarantine",
)
#: Tables whose groups are the communities compared (the order's source).
_GROUP_TABLES = ("survey_descriptives", "text_descriptives", "open_shares")
#: Tables that hold one row per respondent or raw values: never exported in a report.
_ROW_LEVEL = {
    "survey_scores",
    "survey_quarantine",
    "survey_exclusions",
    "text_hits",
    "open_scores",
    "open_hits",
    "open_labels",
}


#: Columns of provenance repeated on every row: left out of the report workbook.
_PROVENANCE = ("lexicon", "lexicon_version", "dict_fingerprint")


def _colophon(study: Study, lang: str, *, inputs: bool = True) -> tuple[tuple[str, str], ...]:
    """Package, commit and, with ``inputs``, every input file's SHA-256.

    Community reports go to one community's office: their colophon names no input file,
    since those include the other communities' documents (the study report and the
    manifest keep the hashes).
    """
    from analysis.core.provenance import __version__, file_sha256, git_commit

    rows = [(t("package", lang), f"analysis {__version__}")]  # type: ignore[arg-type]
    commit = git_commit()
    if commit:
        rows.append((t("git", lang), commit))  # type: ignore[arg-type]
    for p in study.inputs() if inputs else ():
        try:
            rel = p.relative_to(study.root).as_posix()
        except ValueError:
            rel = p.name
        rows.append((f"{t('input', lang)}: {rel}", f"SHA-256 {file_sha256(p)}"))  # type: ignore[arg-type]
    return tuple(rows)


def report_inputs(study: Study, out: StudyOutputs, *, lang: str) -> ReportInputs:
    """Gather what reports need from a run's outputs."""
    from analysis.core.provenance import package_versions

    summaries = {}
    for key, name in (("survey_compare", "survey"), ("text_compare", "text")):
        res = out.results.get(key)
        if res is not None:
            summaries[name] = res.summary(lang=lang)
    figures = {}
    for name, path in out.figures.items():
        figures[name] = Path(path).read_bytes()
    codebook = out.results.get("codebook")
    framework = getattr(codebook, "framework", None) or SERVICE_FIVE
    params = dict(out.params)
    params["compare"] = {"method": study.method, "p_adjust": study.p_adjust}
    res = out.results.get("survey_compare")
    if res is not None:
        params["survey_compare"] = dict(res.params)
    params["versions"] = package_versions(("analysis", "pandas", "scipy", "statsmodels", "jieba"))
    # respondent-level scores stay here: reports need only their overall summary
    tables = {k: v for k, v in out.tables.items() if v is not None and k != "survey_scores"}
    scores = out.tables.get("survey_scores")
    if scores is not None:
        tables["survey_overall"] = overall_scores(scores, framework)
    # residents' answers enter reports only as shares per community: computed once here,
    # and the row-level answer tables are not handed to every community's report
    answers = tables.pop("open_scores", None)
    tables.pop("open_labels", None)
    shares = open_answer_shares(answers, study.min_cell)
    if shares is not None:
        tables["open_shares"] = shares
    # one order of communities in every table (figures get the same from study/figures.py)
    present = [g for k in _GROUP_TABLES if k in tables for g in tables[k]["group"]]
    tables = order_tables(tables, group_order(present, study.group_order))
    return ReportInputs(
        title=study.title,
        title_en=study.title_en,
        lang=lang,
        min_cell=study.min_cell,
        framework=framework,
        tables=tables,
        counts=dict(out.counts),
        params=params,
        summaries=summaries,
        figures=figures,
        colophon=_colophon(study, lang),
        group_colophon=_colophon(study, lang, inputs=False),
        group_label="group",
        resident_quotes=study.resident_quotes,
    )


def build_reports(
    study: Study,
    out: StudyOutputs,
    output: Path,
    *,
    lang: str,
    jobs: int = 1,
    progress: bool = False,
) -> list[str]:
    """Write the study report and, when the study asks, one report per community.

    Returns
    -------
    list of str
        Paths written.
    """
    from analysis.report.render import document_text, font_css_for, write_xlsx

    inputs = report_inputs(study, out, lang=lang)
    # text hits carry the study's own group column; reports look for "group"
    hits = inputs.tables.get("text_hits")
    if hits is not None and study.text_group_column in hits.columns:
        tables = dict(inputs.tables)
        tables["text_hits"] = hits.rename(columns={study.text_group_column: "group"})
        inputs = replace(inputs, tables=tables)
    document = study_document(inputs)
    groups = _report_groups(inputs) if study.per_group else []
    # the communities' documents, built once for the font subset and their reports
    documents = group_documents(inputs, groups)
    font_css = ""
    if "html" in study.formats:
        # one font subset for the study report and every community's: a subset takes seconds
        glyphs = document_text(document) + report_glyphs(inputs, groups, documents)
        font_css = font_css_for(glyphs)
    written = _render(document, output / "report", study.formats, font_css=font_css)
    if "xlsx" in study.formats:
        shown = {}
        for name in XLSX_TABLES:
            frame = inputs.tables.get(name)
            if frame is None or name in _ROW_LEVEL:
                continue
            if name in ("survey_descriptives", "text_descriptives"):
                frame = suppress_small(frame, min_cell=study.min_cell)
            # the lexicon and its fingerprint are one value for every row: the methods
            # section and the manifest give them; the raw table keeps them in tables/
            shown[name] = frame.drop(columns=[c for c in _PROVENANCE if c in frame.columns])
        path = output / "report.xlsx"
        written.append(str(write_xlsx(shown, path, lang=lang, framework=inputs.framework)))  # type: ignore[arg-type]
    if study.per_group:
        written += build_group_reports(
            inputs,
            groups,
            output / "reports",
            formats=study.formats,
            jobs=jobs,
            progress=progress,
            font_css=font_css,
            documents=documents,
        )
    return written


def _report_groups(inputs: ReportInputs) -> list[str]:
    """The communities that get a report, in the report order (tables are already in it)."""
    groups: list[str] = []
    for name in ("survey_descriptives", "text_descriptives"):
        frame = inputs.tables.get(name)
        if frame is not None:
            groups += [str(g) for g in frame["group"]]
    return list(dict.fromkeys(groups))
