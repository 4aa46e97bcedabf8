"""Exceptions and warnings raised on purpose by ``analysis``.

Everything the toolkit raises deliberately derives from :class:`AnalysisError`; everything
it warns about derives from :class:`AnalysisWarning`, so both can be caught or filtered at
once::

    AnalysisError(Exception)
    ├── InputError(AnalysisError, ValueError)      the user's data or file is wrong
    │   ├── CodebookError                          codebook.yaml is wrong or does not fit the data
    │   └── LexiconError                           a lexicon file is wrong
    └── ConfigError(AnalysisError, ValueError)     a study file or an argument is wrong

    AnalysisWarning(UserWarning)
    ├── DataQualityWarning                         rows quarantined, items unmatched, empty docs
    └── SmallSampleWarning                         a group is below a threshold; test changed

Messages say where and what, as a user sees the file: ``survey.xlsx, sheet 'Sheet1',
row 17, column '7、您对社区…': got '很满意'; expected one of 非常不满意, …``. Rows are
counted as in the file (the header is row 1). Validators collect every problem into a
``problems`` frame (columns ``file``, ``row``, ``column``, ``value``, ``problem``) and raise
once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AnalysisError",
    "AnalysisWarning",
    "CodebookError",
    "ConfigError",
    "DataQualityWarning",
    "InputError",
    "LexiconError",
    "Problems",
    "SmallSampleWarning",
    "did_you_mean",
    "location",
]

PROBLEM_COLUMNS = ("file", "row", "column", "value", "problem")


def _plain_problem(problem: Mapping[str, Any]) -> dict[str, Any]:
    """A problem record as plain values: a line or row that went through a DataFrame comes
    back as ``6.0`` or NaN; messages must say ``line 6`` and leave a missing place out."""
    out: dict[str, Any] = {}
    for key, value in problem.items():
        if isinstance(value, float) and value != value:  # NaN: no such place
            value = None
        elif isinstance(value, float) and key in ("line", "row") and value.is_integer():
            value = int(value)
        out[key] = value
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def location(
    file: str | PathLike[str] | None = None,
    *,
    sheet: str | int | None = None,
    line: int | None = None,
    row: int | None = None,
    column: str | None = None,
) -> str:
    """Format where something is, as a user would look for it.

    Parameters
    ----------
    file
        File path; only its name is shown.
    sheet, line, row, column
        Optional parts of the place, shown in this order when given. ``row`` is the row as
        numbered in the file (header = row 1), ``line`` a line of a text file.

    Returns
    -------
    str
        For example ``"survey.xlsx, sheet 'Sheet1', row 17, column 'q7'"``.

    Examples
    --------
    >>> location("data/survey.xlsx", sheet="Sheet1", row=17, column="q7")
    "survey.xlsx, sheet 'Sheet1', row 17, column 'q7'"
    """
    parts: list[str] = []
    if file is not None:
        parts.append(Path(file).name)
    if sheet is not None:
        parts.append(f"sheet {sheet!r}")
    if line is not None:
        parts.append(f"line {line}")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column!r}")
    return ", ".join(parts)


def did_you_mean(value: Any, choices: Iterable[Any]) -> str:
    """``" (did you mean 'x'?)"`` for the choice closest to a misspelt ``value``, or ``""``.

    Examples
    --------
    >>> did_you_mean("refrom", ["reform", "development"])
    " (did you mean 'reform'?)"
    >>> did_you_mean("xyz", ["reform"])
    ''
    """
    import difflib

    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class AnalysisError(Exception):
    """Base class of every exception ``analysis`` raises on purpose."""


class InputError(AnalysisError, ValueError):
    """The user's data or file is wrong.

    Parameters
    ----------
    message
        One line saying where and what.
    file, row, column, value
        The place and the offending value, kept as attributes for programs.
    problems
        Every problem found, when a validator collected several (one row each, columns
        ``file``, ``row``, ``column``, ``value``, ``problem``).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike[str] | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        problems: pd.DataFrame | None = None,
    ) -> None:
        super().__init__(message)
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.value = value
        self.problems = problems

    @classmethod
    def from_problems(
        cls,
        problems: Iterable[Mapping[str, Any]],
        *,
        file: str | PathLike[str] | None = None,
        what: str = "problems",
        show: int = 10,
    ) -> InputError:
        """Build one error from a collection of problems.

        Parameters
        ----------
        problems
            Mappings with keys among ``file``, ``row``, ``line``, ``column``, ``value`` and
            ``problem``.
        file
            The file the problems belong to, for the headline.
        what
            Noun for the headline ("codebook problems", ...).
        show
            How many problems to spell out in the message; all are in ``.problems``.

        The error's ``row``, ``column`` and ``value`` are those of the first problem, for
        programs; a problem may also name its ``sheet``.
        """
        import pandas as pd

        rows = [_plain_problem(p) for p in problems]
        frame = pd.DataFrame(rows)
        for col in PROBLEM_COLUMNS:
            if col not in frame.columns:
                frame[col] = None

        def said(p: dict[str, Any]) -> str:
            where = location(
                p.get("file", file),
                sheet=p.get("sheet"),
                line=p.get("line"),
                row=p.get("row"),
                column=p.get("column"),
            )
            val = "" if p.get("value") is None else f": got {_short(p['value'])}"
            return f"{where}{val}; {p.get('problem', '')}"

        first = rows[0] if rows else {}
        place = {k: first.get(k) for k in ("row", "column", "value")}
        if len(rows) == 1:
            # one problem, one line: where, what was found, what was expected
            return cls(said(first), file=file, problems=frame, **place)
        head = f"{len(rows)} {what}" + (f" in {Path(file).name}" if file is not None else "")
        lines = [head + ":", *(f"  {said(p)}" for p in rows[:show])]
        if len(rows) > show:
            lines.append(f"  … and {len(rows) - show} more (see .problems)")
        return cls("\n".join(lines), file=file, problems=frame, **place)


class Problems:
    """Every problem found while checking one file, raised together as one error.

    Validators collect problems instead of stopping at the first one, so a user fixes a
    file once rather than once per problem (as pandera and frictionless do).

    Parameters
    ----------
    file
        The file being checked, named in every message.
    error
        The error to raise: an :class:`InputError` subclass, or :class:`ConfigError`
        (raised with the same message, without a ``problems`` frame).
    what
        Noun for the headline ("codebook problems", ...).
    lines_as_rows
        The file is read line by line (YAML, a word list): the ``row`` column of the
        ``problems`` frame holds the line numbers.
    lines
        Paths in a YAML document -> their lines (:func:`analysis.core.yamlio.yaml_lines`),
        for :meth:`add_at`.

    Examples
    --------
    >>> problems = Problems("study.yaml", error=ConfigError)
    >>> problems.add("expected one of zh, en", line=7, column="report.language", value="fr")
    >>> try:
    ...     problems.raise_if_any()
    ... except ConfigError as exc:
    ...     print(exc)
    study.yaml, line 7, column 'report.language': got 'fr'; expected one of zh, en
    """

    def __init__(
        self,
        file: str | PathLike[str] | None = None,
        *,
        error: type[AnalysisError] = InputError,
        what: str = "problems",
        lines_as_rows: bool = False,
        lines: Mapping[tuple[Any, ...], int] | None = None,
    ) -> None:
        self.file = None if file is None else str(file)
        self.lines = dict(lines or {})
        self.error = error
        self.what = what
        self.lines_as_rows = lines_as_rows
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        problem: str,
        *,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        """Record one problem: where (line or row, column), the value found, what is wrong."""
        self.rows.append(
            {
                "file": self.file,
                "line": line,
                "row": row,
                "column": column,
                "value": value,
                "problem": problem,
            }
        )

    def add_at(
        self, path: tuple[Any, ...], problem: str, *, value: Any = None, column: str | None = None
    ) -> None:
        """Record a problem at a place in the YAML document: the line of ``path``, or of the
        nearest key that encloses it."""
        line = None
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                break
        self.add(problem, line=line, column=column, value=value)

    def __len__(self) -> int:
        return len(self.rows)

    def raise_if_any(self) -> None:
        """Raise one error naming every problem, if any was recorded."""
        if not self.rows:
            return
        if not issubclass(self.error, InputError):
            err = InputError.from_problems(self.rows, file=self.file, what=self.what)
            raise self.error(str(err))
        err = self.error.from_problems(self.rows, file=self.file, what=self.what)
        if self.lines_as_rows and err.problems is not None:
            frame = err.problems.drop(columns="row").rename(columns={"line": "row"})
            err.problems = frame[list(PROBLEM_COLUMNS)]
        raise err


class CodebookError(InputError):
    """A codebook is malformed or does not fit the survey it describes."""


class LexiconError(InputError):
    """A lexicon file is malformed or names unknown dimensions."""


class ConfigError(AnalysisError, ValueError):
    """A study file, option or argument is wrong."""


class AnalysisWarning(UserWarning):
    """Base class of every warning ``analysis`` issues."""


class DataQualityWarning(AnalysisWarning):
    """Rows were quarantined, items unmatched, documents empty."""


class SmallSampleWarning(AnalysisWarning):
    """A group is below a threshold, so a test was changed, skipped or is fragile."""


def check_option(name: str, value: Any, allowed: Iterable[Any], *, owner: str) -> None:
    """Raise :class:`ConfigError` unless ``value`` is one of ``allowed``.

    The message follows scikit-learn's: "The 'method' parameter of compare_groups must be
    one of 'auto', 'anova'. Got 'ttest' instead."
    """
    allowed = list(allowed)
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ConfigError(
            f"The {name!r} parameter of {owner} must be one of {choices}. Got {value!r} instead."
        )


def check_columns(data: Any, columns: Iterable[str], *, owner: str) -> None:
    """Raise :class:`InputError` unless ``data`` is a DataFrame holding every column."""
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{owner}: data must be a pandas DataFrame, got {type(data)}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InputError(
            f"{owner}: column(s) {', '.join(map(repr, missing))} not in data; "
            f"columns are {', '.join(map(str, data.columns))}"
        )
