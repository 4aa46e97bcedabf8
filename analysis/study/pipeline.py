"""The steps of :func:`analysis.run_study`, one function each.

``execute`` runs them in order: survey (read, screen, score, item analysis), texts (read,
segment, score, evidence, keyness), comparisons, figures, tables, reports, manifest. Each
step takes plain values and returns frames, so a notebook can run any one of them alone.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import warnings
from collections.abc import Callable, Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core.errors import ConfigError
from analysis.core.progress import progress_bar
from analysis.core.words import Lang, counts_line, message
from analysis.report.tables import write_tables
from analysis.study.checks import (
    check_inputs,
    codebook_notes,
    guard_output,
    text_group_problem,
    validate_study,
)
from analysis.study.cluster import Cluster, materialise, open_cluster
from analysis.study.config import Study, load_study
from analysis.study.manifest import build_manifest
from analysis.study.outputs import StudyOutputs, StudyResult, write_private
from analysis.study.runlog import RunLog

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["check_inputs", "execute", "run_study", "validate_study"]

log = logging.getLogger("analysis")


def _check_written(output: Path, written: list[Any]) -> None:
    """Every file a run wrote lies inside its output folder (nothing lands beside the study)."""
    for p in written:
        path = Path(p)
        if path.is_absolute() and output not in path.resolve().parents:
            raise ConfigError(
                f"the run wrote {path} outside its output folder {output}; please report this"
            )


def _clear_previous(output: Path) -> None:
    """Remove what an earlier run wrote, as listed in its manifest, so nothing stale remains."""
    manifest = output / "manifest.json"
    if not manifest.exists():
        return
    try:
        previous = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for entry in previous.get("outputs", []):
        target = (output / entry.get("path", "")).resolve()
        if output in target.parents and target.is_file():
            target.unlink()
    for sub in ("figures", "private", "reports", "tables"):
        d = output / sub
        if d.is_dir() and not any(d.rglob("*.*")):
            shutil.rmtree(d)


def run_survey(study: Study, out: StudyOutputs) -> None:
    """Read, screen, score and item-analyse the survey (and fit the CFA when asked)."""
    import pandas as pd

    from analysis.study.measurement import run_measurement
    from analysis.survey.codebook_file import load_codebook
    from analysis.survey.describe import satisfaction
    from analysis.survey.psychometrics import item_analysis, reliability
    from analysis.survey.quality import screen_quality
    from analysis.survey.reading import read_survey
    from analysis.survey.scores import score_survey

    if study.survey_path is None or study.codebook_path is None:
        raise ConfigError(
            f"{study.path.name}: the survey step needs survey.path and survey.codebook"
        )
    codebook = load_codebook(study.codebook_path)
    survey = read_survey(study.survey_path, codebook=codebook)
    survey = screen_quality(survey, exclude=list(study.exclude))
    survey = dataclasses.replace(survey, responses=_mask_labels(survey.responses, "group"))
    scores = score_survey(survey)
    out.results["survey"] = survey
    out.results["codebook"] = codebook
    out.tables["survey_scores"] = scores
    out.tables["reliability"] = reliability(survey)
    out.tables["item_analysis"] = item_analysis(survey)
    out.tables["satisfaction"] = pd.concat(
        [satisfaction(survey, by=None), satisfaction(survey)], ignore_index=True
    )
    out.tables["survey_quarantine"] = survey.quarantine
    out.tables["survey_exclusions"] = survey.exclusions
    n_rows = int(
        survey.source.get("n_rows", len(survey.responses) + survey.quarantine["row"].nunique())
    )
    out.counts.update(
        survey_rows=n_rows,
        survey_quarantined=int(survey.quarantine["row"].nunique()) if len(survey.quarantine) else 0,
        survey_excluded=len(survey.exclusions),
        survey_respondents=int(scores["respondent_id"].nunique()),
        survey_no_group=int(survey.responses["group"].isna().sum()),
    )
    out.params["survey_source"] = {k: v for k, v in survey.source.items() if k != "path"}
    out.params.setdefault("notes", []).extend(codebook_notes(codebook))
    run_measurement(study, out)


def run_texts(
    study: Study, out: StudyOutputs, *, jobs: int, cache_dir: Path, cluster: Cluster | None = None
) -> None:
    """Read, segment and score the documents; collect evidence and keyness.

    On a Dask ``cluster`` the documents are read, scored, explained, labelled and counted in
    partitions on the workers, and only the results come back: the same tables as in memory.
    """

    from analysis.io import read_texts, text_quarantine
    from analysis.text.lexicon_file import default_lexicon, load_lexicon
    from analysis.text.score import explain, score_texts
    from analysis.text.segment import Segmenter
    from analysis.text.textstats import keyness, token_counts

    if study.texts_path is None:
        raise ConfigError(f"{study.path.name}: the texts step needs texts.path")
    engine = "dask" if cluster is not None else "pandas"
    docs = read_texts(study.texts_path, metadata=study.texts_metadata, engine=engine)
    group = study.text_group_column
    err = text_group_problem(study, docs.columns)
    if err is not None:
        raise err
    if cluster is not None:
        docs = docs.map_partitions(_mask_labels, group, meta=docs._meta)
    else:
        docs = _mask_labels(docs, group)
    lexicon = default_lexicon() if study.lexicon == "default" else load_lexicon(study.lexicon)
    segmenter = Segmenter.for_lexicon(lexicon, cache_dir=cache_dir)
    done = materialise(
        cluster,
        {
            "text_scores": score_texts(
                docs, lexicon=lexicon, segmenter=segmenter, group=[group], jobs=jobs
            ),
            "text_hits": explain(docs, lexicon=lexicon, segmenter=segmenter, sample=None),
            "text_quarantine": text_quarantine(docs),
            "text_labels": label_documents(
                docs, group, lexicon, segmenter, out, method=study.text_label_method
            ),
            "counts": token_counts(docs, group=group, segmenter=segmenter),
            "groups": docs[["doc_id", group]],
            "encodings": docs["encoding"],
        },
    )
    encodings = done["encodings"].dropna().astype(str).value_counts()
    out.params["text_encodings"] = {str(k): int(v) for k, v in encodings.items()}
    hits = done["text_hits"].merge(done["groups"], on="doc_id", how="left")
    out.results.update(lexicon=lexicon, segmenter=segmenter)
    out.tables["text_scores"] = done["text_scores"]
    out.tables["text_hits"] = hits
    out.tables["text_quarantine"] = done["text_quarantine"]
    if done["text_labels"] is not None:
        out.tables["text_labels"] = done["text_labels"].rename(columns={group: "group"})
    out.counts.update(
        documents=len(done["groups"]), documents_quarantined=len(done["text_quarantine"])
    )
    out.params["lexicon"] = {
        "name": lexicon.name,
        "version": lexicon.version,
        "dict_fingerprint": segmenter.fingerprint,
    }
    out.tables["keyness"] = keyness(done["counts"], group=group)


def label_documents(
    docs: Any,
    group: str,
    lexicon: Any,
    segmenter: Any,
    out: StudyOutputs,
    method: str = "ensemble",
) -> Any:
    """One primary dimension per document (``text_labels``), by the packaged classifier.

    Only for the lexicon the packaged classifier was trained with: another lexicon has no
    validated classifier, and the run says so in ``params["classifier"]`` instead (and
    None is returned). ``method`` is the study's ``texts.label_method``. Lazy when ``docs``
    is a Dask frame.
    """
    from analysis.text.classifier import default_classifier
    from analysis.text.classify import ENCODER_METHODS, classify_texts

    clf = default_classifier()
    info = clf.info_
    if (lexicon.name, lexicon.version) != (info.get("lexicon"), info.get("lexicon_version")):
        out.params["classifier"] = {
            "skipped": f"no validated classifier for lexicon {lexicon.name} {lexicon.version}; "
            "train one with an.train_classifier on labelled passages"
        }
        return None
    # by passage: the unit the classifier was trained and validated on
    labels = classify_texts(
        docs[["doc_id", group, "text"]],
        method,
        classifier=clf,
        segmenter=segmenter,
        by_passage=True,
    )
    out.params["classifier"] = {
        "method": method,
        "unit": "passage",
        "training_fingerprint": info.get("training_fingerprint"),
        "n_passages": info.get("n_passages"),
        "validation": info.get("validation", {}),
    }
    from analysis.text.context import context_classifier_for

    # the context classifier classify_texts mixed in by passage (the same rule picks it)
    ctx = context_classifier_for(method, clf)
    if ctx is not None:
        out.params["classifier"]["context"] = {
            "width": ctx.width,
            "weight": ctx.weight(method),
            "training_fingerprint": ctx.info_.get("training_fingerprint"),
            "validation": ctx.info_.get("validation", {}),
        }
    if method in ENCODER_METHODS:
        from analysis.text.encoder_head import default_encoder_head

        head = default_encoder_head()
        out.params["classifier"]["encoder_head"] = {
            "encoder": head.info_.get("encoder"),
            "training_fingerprint": head.info_.get("training_fingerprint"),
            "ensemble_weights": head.weights(),
            "validation": head.info_.get("validation", {}),
        }
    return labels


def open_answer_docs(survey: Any, column: str) -> pd.DataFrame:
    """Residents' answers to one open-ended question as documents.

    Returns
    -------
    DataFrame
        ``doc_id`` (``<column>:<respondent_id>``), ``text``, ``respondent_id``, ``group``,
        ``question``: one row per non-empty answer. Answers coded as missing are left out.
    """
    import pandas as pd

    frame = survey.responses[["respondent_id", "group", column]].rename(columns={column: "text"})
    text = frame["text"].astype("string").str.strip()
    keep = text.notna() & (text != "")
    docs = frame.loc[keep, ["respondent_id", "group"]].copy()
    docs.insert(0, "text", text[keep].astype(str).to_numpy())
    docs.insert(0, "doc_id", [f"{column}:{r}" for r in docs["respondent_id"]])
    docs["question"] = column
    return pd.DataFrame(docs).reset_index(drop=True)


def run_open_answers(study: Study, out: StudyOutputs) -> None:
    """Score residents' open-ended answers on the dimensions, like documents, and give each
    answer one label (the classifier's where it holds for the lexicon, see
    :mod:`analysis.study.open_answers`): ``open_labels`` and their shares per question and
    group, ``none`` (未归类) included, ``open_label_shares``."""
    import pandas as pd

    from analysis.study.open_answers import label_answers, label_shares
    from analysis.text.lexicon_file import default_lexicon, load_lexicon
    from analysis.text.score import explain, score_texts
    from analysis.text.segment import Segmenter

    survey = out.results.get("survey")
    columns = [c.id for c in getattr(out.results.get("codebook"), "text_columns", ())]
    if survey is None or not columns:
        return
    docs = pd.concat([open_answer_docs(survey, c) for c in columns], ignore_index=True)
    if not len(docs):
        return
    lexicon = out.results.get("lexicon") or (
        default_lexicon() if study.lexicon == "default" else load_lexicon(study.lexicon)
    )
    segmenter = out.results.get("segmenter") or Segmenter.for_lexicon(lexicon)
    scores = score_texts(docs, lexicon=lexicon, segmenter=segmenter, group=["group", "question"])
    hits = explain(docs, lexicon=lexicon, segmenter=segmenter)
    hits = hits.merge(docs[["doc_id", "group"]], on="doc_id", how="left")
    labels, record = label_answers(docs, scores, lexicon, segmenter)
    out.tables["open_scores"] = scores
    out.tables["open_hits"] = hits
    out.tables["open_labels"] = labels
    out.tables["open_label_shares"] = label_shares(labels, lexicon.framework.ids)
    out.params["open_answer_labels"] = record
    # reports name a question by its wording, not its codebook id
    out.params["open_questions"] = {c.id: c.column for c in out.results["codebook"].text_columns}
    out.counts["open_answers"] = len(docs)


def mask_outputs(out: StudyOutputs, *, keep_raw: bool = False) -> None:
    """Mask phone and ID numbers and e-mail addresses in every text cell of every table.

    The last step before anything is written, so no table, figure or report of the run
    carries one, wherever it was typed (an answer cell, an open answer, a document, an id).
    The cells changed are counted in ``out.counts["values_masked"]``; with ``keep_raw`` the
    unmasked tables are kept in ``out.private`` for the private folder.
    """
    from analysis.report.privacy import mask_frame

    total = 0
    for name, frame in list(out.tables.items()):
        if frame is None:
            continue
        masked, changed = mask_frame(frame)
        if changed:
            out.tables[name] = masked
            if keep_raw:
                out.private[name] = frame
        total += changed
    out.counts["values_masked"] = total


def _mask_labels(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with personal data masked in its group labels, before any grouping, so
    tables, reports and file names of one community all show the same masked name."""
    from analysis.report.privacy import mask_frame

    masked, changed = mask_frame(frame[[column]])
    return frame.assign(**{column: masked[column]}) if changed else frame


#: Fewest documents a community needs for its text scores to enter a test. Rates per
#: thousand words of two or three documents say little, and the chi-square approximation of
#: the rank tests wants about five per group; with fewer, a community is described only.
MIN_DOCUMENTS_PER_GROUP = 5


def run_comparisons(study: Study, out: StudyOutputs) -> None:
    """Compare communities on survey and text dimensions.

    Communities with fewer than :data:`MIN_DOCUMENTS_PER_GROUP` documents are described
    (``text_descriptives``) but left out of the text tests, and a note says so; with fewer
    than two communities left there are no text tests at all.
    """
    from analysis.core.words import message
    from analysis.stats.compare import compare_groups

    sources = {
        "survey": out.tables.get("survey_scores"),
        "text": out.tables.get("text_scores"),
    }
    options = {
        "dv": "score",
        "between": "group",
        "by": "dimension",
        "method": study.method,
        "p_adjust": study.p_adjust,
    }
    for name, scores in sources.items():
        if scores is None:
            continue
        if name == "survey":
            res = compare_groups(scores, **options)
            described = res
        else:
            scores = scores.rename(columns={study.text_group_column: "group"})
            per_group = scores.groupby("group", observed=True)["doc_id"].nunique()
            few = sorted(map(str, per_group.index[per_group < MIN_DOCUMENTS_PER_GROUP]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # only its descriptives are kept when `few`
                described = compare_groups(scores, **options)
            res = described
            if few:
                listed = {"n": len(few), "min": MIN_DOCUMENTS_PER_GROUP}
                out.params["text_untested"] = {"groups": few, "min": MIN_DOCUMENTS_PER_GROUP}
                out.params.setdefault("notes", []).append(
                    {
                        "zh": message("few_documents", "zh", **listed) + "、".join(few),
                        "en": message("few_documents", "en", **listed) + ", ".join(few),
                    }
                )
                kept = scores[~scores["group"].astype(str).isin(few)]
                res = compare_groups(kept, **options) if kept["group"].nunique() >= 2 else None
        out.tables[f"{name}_descriptives"] = described.descriptives
        if res is None:
            out.tables[f"{name}_compare"] = described.table.iloc[:0]
            out.tables[f"{name}_posthoc"] = described.posthoc.iloc[:0]
            continue
        out.results[f"{name}_compare"] = res
        out.tables[f"{name}_compare"] = res.table
        out.tables[f"{name}_posthoc"] = res.posthoc
    from analysis.study.design_tables import add_design_tables

    add_design_tables(study, out)  # with a sampling design in the codebook


def execute(
    study: Study,
    *,
    output: Path,
    jobs: int,
    lang: str,
    progress: bool,
    scheduler: str | None = None,
    workers: int | None = None,
) -> StudyResult:
    """Run every step of ``study`` and write the outputs into ``output``."""
    if scheduler is None and workers is None:
        scheduler, workers = study.dask_scheduler, study.dask_workers
    with open_cluster(scheduler, workers, progress=progress, lang=lang) as cluster:  # type: ignore[arg-type]
        return _execute(
            study, output=output, jobs=jobs, lang=lang, progress=progress, cluster=cluster
        )


def _execute(
    study: Study, *, output: Path, jobs: int, lang: str, progress: bool, cluster: Cluster | None
) -> StudyResult:
    from analysis.study.figures import draw_figures
    from analysis.study.reporting import build_reports

    guard_output(study, output)
    output.mkdir(parents=True, exist_ok=True)
    _clear_previous(output)
    out = StudyOutputs()
    steps: list[tuple[str, Callable[[], None]]] = []
    if study.survey_path is not None:
        steps.append(("survey", lambda: run_survey(study, out)))
    if study.texts_path is not None:
        cache = output / ".cache" / "tokens"
        steps.append(
            (
                "texts",
                lambda: run_texts(study, out, jobs=jobs, cache_dir=cache, cluster=cluster),
            )
        )
    if study.survey_path is not None:
        steps.append(("open answers", lambda: run_open_answers(study, out)))
    steps.append(("compare", lambda: run_comparisons(study, out)))
    steps.append(("privacy", lambda: mask_outputs(out, keep_raw=study.keep_raw_values)))
    steps.append(
        (
            "figures",
            lambda: out.figures.update(
                draw_figures(
                    out, output, lang=lang, min_cell=study.min_cell, group_order=study.group_order
                )
            ),
        )
    )

    words: Lang = "zh" if lang == "zh" else "en"
    run_log = RunLog(words)
    with run_log.capture():
        bar = progress_bar(
            steps, show=progress, desc=message("bar_run", words), unit=message("bar_step", words)
        )
        for name, step in bar:
            bar.set_postfix_str(message(f"step_{name}", words))
            log.info("step %s", name)
            run_log.step(name)
            step()

        written = list(out.figures.values())
        written += write_tables(out.tables, output / "tables")
        written += write_private(out.private, output / "private")
        written += build_reports(study, out, output, lang=lang, jobs=jobs, progress=progress)
    run_log.note(counts_line(out.counts, words))
    written.append(run_log.write(output / "run.log"))
    _check_written(output, written)
    written = sorted(
        {str(Path(p).relative_to(output)) if Path(p).is_absolute() else p for p in written}
    )
    manifest = build_manifest(
        study, output=output, files=written, params=_params(study, out, lang), counts=out.counts
    )
    (output / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return StudyResult(
        study=study,
        output=output,
        tables=dict(out.tables),
        files=(*written, "manifest.json"),
        manifest=manifest,
    )


def _params(study: Study, out: StudyOutputs, lang: str) -> Mapping[str, Any]:
    params: dict[str, Any] = {
        "title": study.title,
        "compare": {"between": study.between, "method": study.method, "p_adjust": study.p_adjust},
        "report": {
            "formats": list(study.formats),
            "per_group": study.per_group,
            "min_cell": study.min_cell,
            "language": lang,
        },
        "quality": {"exclude": list(study.exclude)},
    }
    params.update(out.params)
    for key in ("survey_compare", "text_compare"):
        res = out.results.get(key)
        if res is not None and getattr(res, "params", None):
            params[key] = _jsonable(res.params)
    return params


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


__all__ += ["StudyOutputs"]


def run_study(
    path: str | PathLike[str] | Study,
    *,
    output: str | PathLike[str] | None = None,
    jobs: int = 1,
    lang: Lang | None = None,
    progress: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
) -> StudyResult:
    """Run a whole study: read, score, compare, plot, report, record.

    Parameters
    ----------
    path
        The study file, or a :class:`Study` already loaded.
    output
        Write here instead of the study's ``output`` folder.
    jobs
        Processes working at once on segmentation and on the per-community reports.
    lang
        Report language; overrides the study's ``report.language``.
    progress
        Show progress bars on long steps (the CLI turns this on for terminals).
    scheduler, workers
        Run the text step on Dask (``pip install "analysis[dask]"``): the address of a
        running scheduler (``tcp://HOST:8786``), or a number of worker processes for a local
        cluster started for the run. Override ``dask:`` in the study file; without either
        the run is in memory. The tables and reports are those of the in-memory run.

    Returns
    -------
    StudyResult

    Raises
    ------
    ConfigError, InputError
        The study or one of its inputs is wrong; the message names file and place.

    Examples
    --------
    >>> import analysis as an                       # doctest: +SKIP
    >>> res = an.run_study("data/raw/demo/study.yaml", output="/tmp/demo")  # doctest: +SKIP
    >>> res.tables["survey_compare"].head()                                  # doctest: +SKIP
    """
    study = path if isinstance(path, Study) else load_study(path)
    if lang is not None and lang not in ("zh", "en"):
        raise ConfigError(
            f"The 'lang' parameter of run_study must be one of 'zh', 'en'. Got {lang!r} instead."
        )
    out = Path(output).resolve() if output is not None else study.output
    return execute(
        study,
        output=out,
        jobs=jobs,
        lang=lang or study.language,
        progress=progress,
        scheduler=scheduler,
        workers=workers,
    )
