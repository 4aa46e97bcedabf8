"""``analysis validate``: every problem ``analysis run`` would meet, found without running.

:func:`check_inputs` reads every input the way the run reads it and applies the run's own
checks (:func:`guard_output`, :func:`text_group_problem`, the survey screens and scores), so
a study that validates cleanly does not fail in ``run`` on its inputs. Rows and documents
the run would quarantine are listed too, each with its reason.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any

from analysis.core.errors import AnalysisError, AnalysisWarning, ConfigError, InputError
from analysis.study.config import Study, load_study

__all__ = ["check_inputs", "guard_output", "text_group_problem", "validate_study"]

_SHOW = 50  # quarantined rows listed per input


def guard_output(study: Study, output: Path) -> None:
    """Refuse an output folder that holds any input: outputs must never overwrite raw data.

    Raises
    ------
    ConfigError
        ``output`` is an input or a folder holding one.
    """
    for p in study.inputs():
        if p == output or output in p.parents:
            raise ConfigError(
                f"output folder {output} contains the input {p.name}; choose a folder outside "
                "the raw data (outputs are regenerated and old ones removed)"
            )


def text_group_problem(study: Study, columns: Any) -> InputError | None:
    """The error of a texts table without the study's group column, or None."""
    group = study.text_group_column
    columns = [str(c) for c in columns]
    if group in columns:
        return None
    import difflib

    close = difflib.get_close_matches(group, columns, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return InputError(
        f"{(study.texts_metadata or study.texts_path or study.path).name}: no column "
        f"{group!r} to group documents by; {hint}texts.group_column names one of "
        f"{', '.join(columns)}",
        file=study.texts_metadata,
        column=group,
    )


def check_inputs(study: Study, *, notes: list[str] | None = None) -> list[str]:
    """Read every input of ``study`` as the run does; one line per problem found.

    ``notes`` receives what is not a problem but changes the results (a dimension without
    items, every respondent in one group), as the run's summary says it.
    """
    notes = [] if notes is None else notes
    problems: list[str] = []

    def attempt(step: Callable[[], Any]) -> Any:
        try:
            # a quarantine warning would repeat what is listed below, row by row
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", AnalysisWarning)
                return step()
        except AnalysisError as exc:
            problems.extend(str(exc).splitlines())
            return None

    attempt(lambda: guard_output(study, study.output))
    if study.codebook_path is not None and study.survey_path is not None:
        _check_survey(study, attempt, problems, notes)
    if study.texts_path is not None:
        from analysis.io import read_texts, text_quarantine

        docs = attempt(lambda: read_texts(study.texts_path, metadata=study.texts_metadata))
        if docs is not None:
            err = text_group_problem(study, docs.columns)
            if err is not None:
                problems.append(str(err))
            for rec in text_quarantine(docs).head(_SHOW).itertuples(index=False):
                where = (
                    f", row {int(rec.row)}" if rec.row is not None and rec.row == rec.row else ""
                )
                problems.append(f"{rec.file}{where}: {rec.problem} (quarantined)")
    if study.lexicon != "default":
        from analysis.text.lexicon_file import load_lexicon

        attempt(lambda: load_lexicon(study.lexicon))
    return problems


def _quarantined(file: str, row: Any, problem: str) -> str:
    """One quarantined document or metadata row as a line of ``analysis validate``."""
    if problem.startswith(f"{file}: "):
        problem = problem[len(file) + 2 :]
    where = f", row {int(row)}" if row is not None and row == row else ""  # NaN != NaN
    return f"{file}{where}: {problem} (quarantined)"


def codebook_notes(codebook: Any) -> list[str]:
    """What a codebook leaves out without being wrong: dimensions without items, groups."""
    name = Path(codebook.path).name if codebook.path else "codebook"
    notes = [
        f"{name}: dimension {d!r} has no items; it is left out of the survey scores, "
        "comparisons and reports"
        for d in codebook.empty_dimensions
    ]
    if not codebook.group_column:
        notes.append(
            f"{name}: no group_column; every respondent is in one group 'all' and "
            "communities are not compared"
        )
    return notes


def _check_survey(
    study: Study, attempt: Callable[..., Any], problems: list[str], notes: list[str]
) -> None:
    from analysis.survey.codebook_file import load_codebook
    from analysis.survey.quality import screen_quality
    from analysis.survey.reading import read_survey
    from analysis.survey.scores import score_survey

    cb = attempt(lambda: load_codebook(study.codebook_path))
    if cb is None:
        return
    notes.extend(codebook_notes(cb))
    survey = attempt(lambda: read_survey(study.survey_path, codebook=cb))
    if survey is None:
        return
    for rec in survey.quarantine.head(_SHOW).itertuples(index=False):
        problems.append(
            f"{Path(str(rec.file)).name}, row {rec.row}, column {rec.column!r}: "
            f"got {rec.value!r}; {rec.problem} (row quarantined)"
        )
    screened = attempt(lambda: screen_quality(survey, exclude=list(study.exclude)))
    if screened is not None:
        attempt(lambda: score_survey(screened))


def validate_study(path: str | PathLike[str], *, notes: list[str] | None = None) -> list[str]:
    """Check a study without running it: the study file, codebook, survey and texts.

    Parameters
    ----------
    path
        The study file.
    notes
        A list that receives notes: what is not wrong but changes the results (a
        dimension without items, no group column).

    Returns
    -------
    list of str
        One line per problem; empty when the study is ready to run.
    """
    try:
        study = load_study(path)
    except (ConfigError, InputError) as exc:
        return str(exc).splitlines()
    return check_inputs(study, notes=notes)
