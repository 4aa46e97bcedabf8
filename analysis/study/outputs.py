"""What a run produces: the steps' outputs while it runs, and the result it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from analysis.core.words import Lang
    from analysis.study.config import Study

__all__ = ["StudyOutputs", "StudyResult", "write_private"]

_PRIVATE_README = """\
此文件夹含未打码的个人信息（电话号码、身份证号、电子邮箱），仅供研究者本人核对原始数据。
请勿分享、上传或随报告发送；核对完毕请删除。
下次运行时若未开启 privacy.keep_raw_values，本文件夹会被删除。

PRIVATE: this folder holds personal data (phone and ID numbers, e-mail addresses) unmasked,
for the researcher's own checking of raw data only. Do not share, upload or send it with
the reports; delete it when done. The next run removes it unless privacy.keep_raw_values
is still on.
"""


@dataclass
class StudyOutputs:
    """Everything the steps produce, gathered for tables, figures and reports."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    private: dict[str, pd.DataFrame] = field(default_factory=dict)


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

    def summary(self, lang: Lang = "en") -> list[str]:
        """What the run wrote, guessed or left out, one line each, for the command line.

        The files written, the encodings detected (survey export and documents), the notes
        of the run (a dimension without items, every respondent in one group) and the counts,
        in ``lang``.
        """
        from analysis.core.words import counts_line, message

        params = self.manifest.get("parameters", {})
        lines = [message("wrote_files", lang, n=len(self.files), path=self.output)]
        found = []
        survey = params.get("survey_source", {})
        if survey.get("encoding"):
            name = self.study.survey_path.name if self.study.survey_path else "survey"
            found.append(message("read_as", lang, name=name, enc=survey["encoding"]))
        texts = params.get("text_encodings") or {}
        if texts:
            listed = ", ".join(f"{enc} ({n})" for enc, n in texts.items())
            found.append(message("documents_read_as", lang, encodings=listed))
        if found:
            lines.append(message("encoding", lang, text="; ".join(found)))
        for note in params.get("notes", []):
            # a note is text, or the same note in both languages
            text = note.get(lang, note.get("en", "")) if isinstance(note, Mapping) else note
            lines.append(message("note", lang, text=text))
        counts = self.manifest.get("counts", {})
        if counts:
            lines.append(counts_line(counts, lang))
        return lines


def write_private(tables: Mapping[str, pd.DataFrame], folder: Path) -> list[str]:
    """Write the unmasked versions of masked tables into ``folder``, marked private.

    Only called with ``privacy: {keep_raw_values: true}`` in the study; each table becomes
    ``<name>.PRIVATE.csv`` beside a ``README-PRIVATE.txt`` that says what the folder holds
    and that it must not leave the researcher's machine.

    Returns
    -------
    list of str
        The paths written (none when ``tables`` is empty).
    """
    from analysis.report.tables import write_csv

    if not tables:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    readme = folder / "README-PRIVATE.txt"
    readme.write_text(_PRIVATE_README, encoding="utf-8")
    written = [str(readme)]
    for name, frame in sorted(tables.items()):
        path = folder / f"{name}.PRIVATE.csv"
        write_csv(frame, path)
        written.append(str(path))
    return written
