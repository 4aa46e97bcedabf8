"""``run.log``: the steps, warnings and log messages of a run, masked, kept with its outputs.

Warnings scroll past in a terminal and vanish from a notebook on restart; the log keeps them
beside the tables they concern, so a researcher can report what the run said. It speaks the
study's language: a Chinese study's log names its steps and its common warnings in Chinese
(:func:`~analysis.core.warning_words.warning_label`). It holds no
clock time (outputs are regenerable, byte for byte) and goes through
:func:`~analysis.report.privacy.mask_pii` like every other written file: a warning that
quotes a cell must not carry a phone number out of the run.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.core.warning_words import warning_label
from analysis.core.words import Lang, message
from analysis.report.privacy import mask_pii

__all__ = ["RunLog"]


class _Collect(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname.lower()}: {record.getMessage()}")


class RunLog:
    """Lines gathered while a run works, written as ``run.log`` at the end.

    Examples
    --------
    >>> log = RunLog("zh")
    >>> with log.capture():
    ...     log.step("survey")
    >>> log.lines
    ['步骤：问卷']
    """

    def __init__(self, lang: Lang = "en") -> None:
        self.lang = lang
        self.lines: list[str] = []

    def step(self, name: str) -> None:
        """Note that the step ``name`` (``survey``, ``texts`` …) started."""
        self.lines.append(message("step", self.lang, name=message(f"step_{name}", self.lang)))

    def note(self, line: str) -> None:
        """Add a line of the run's own (a step started, a count)."""
        self.lines.append(line)

    @contextmanager
    def capture(self) -> Iterator[RunLog]:
        """Collect the ``analysis`` logger's records and every warning raised inside.

        Warnings are still shown as usual (passed on to the current
        :func:`warnings.showwarning`); the logger's level is left alone, so the log holds
        what the researcher's logging settings let through (warnings and errors by default).
        """
        logger = logging.getLogger("analysis")
        handler = _Collect(self.lines)
        logger.addHandler(handler)
        with warnings.catch_warnings():
            shown = warnings.showwarning

            def record(text, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
                said = warning_label(text, self.lang)
                self.lines.append(message("warning", self.lang) + said)
                if said != str(text):  # the details (rows, values) stay in the original
                    self.lines.append(message("original", self.lang, text=text))
                shown(text, category, filename, lineno, file, line)

            warnings.showwarning = record
            try:
                yield self
            finally:
                logger.removeHandler(handler)

    def write(self, path: Path) -> str:
        """Write the lines, masked, to ``path``; returns the path as text."""
        text = "".join(mask_pii(line) + "\n" for line in self.lines)
        path.write_text(text, encoding="utf-8")
        return str(path)
