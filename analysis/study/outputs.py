"""What a run produces: the steps' outputs while it runs, and the result it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from analysis.study.config import Study

__all__ = ["StudyOutputs", "StudyResult"]


@dataclass
class StudyOutputs:
    """Everything the steps produce, gathered for tables, figures and reports."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StudyResult:
    """What :func:`run_study` produced.

    Attributes
    ----------
    study
        The study that ran.
    output
        Output folder.
    tables
        Name -> DataFrame of every table written (``survey_scores``, ``reliability``, …).
    files
        Every file written, relative to ``output``.
    manifest
        The content of ``manifest.json``.
    """

    study: Study
    output: Path
    tables: Mapping[str, Any]
    files: tuple[str, ...]
    manifest: Mapping[str, Any]
