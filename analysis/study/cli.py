"""The ``analysis`` command line: a thin layer over the library.

Commands::

    analysis run STUDY.yaml [--output DIR] [--jobs N] [--lang zh|en] [--quiet]
                            [--workers N | --scheduler tcp://HOST:8786]
    analysis validate STUDY.yaml
    analysis init DIR
    analysis codebook draft EXPORT [--sheet S] [--output FILE]
    analysis coding sample TEXTS --output DIR [--n N] [--per-doc N] [--seed N]
                                 [--method METHOD] [--coders N]
    analysis coding check KEY SHEET [SHEET] [--adjudicated FILE] [--output FILE]

Errors the user can fix (:class:`~analysis.core.errors.AnalysisError`) print as one line,
``error: <message>`` (``错误：<message>``), with exit status 1; anything else is a bug and
shows its traceback. The command's own words (summary lines, progress bars, the
``warning:``/``error:`` prefixes) follow the study's ``report.language`` (or ``--lang``);
commands without a study follow the locale (``LC_ALL`` or ``LANG`` starting with ``zh``).
The help (``--help``) and argparse's own errors follow the locale. The library's warnings
print in Chinese for a Chinese study (:func:`~analysis.core.warning_words.warning_label`).
Only argparse is imported at start-up, so ``analysis --help`` answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

Lang = Literal["zh", "en"]  # as analysis.core.words.Lang; only argparse is imported at start-up

__all__ = ["build_parser", "locale_lang", "main"]


def _version() -> str:
    from analysis.core.provenance import __version__

    return __version__


def build_parser(lang: Lang | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``analysis`` command, its help in ``lang`` (default: the
    locale's, see :func:`locale_lang`)."""
    from analysis.core.help_words import help_text, metavar

    words: Lang = lang or locale_lang()

    def h(key: str) -> str:
        return help_text(key, words)

    def m(key: str) -> str:
        return metavar(key, words)

    with _argparse_speaks(words):  # section titles and -h's help are set when built
        return _build(h, m)


def _build(h: Callable[[str], str], m: Callable[[str], str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="analysis", description=h("description"))
    parser.add_argument(
        "--version", action="version", version=f"analysis {_version()}", help=h("version")
    )
    sub = parser.add_subparsers(dest="command", metavar=h("command"))

    run = sub.add_parser("run", help=h("run"), description=h("run"))
    run.add_argument("study", type=Path, metavar=m("study"), help=h("study"))
    run.add_argument("--output", "-o", type=Path, metavar=m("dir"), help=h("output"))
    run.add_argument("--jobs", "-j", type=int, default=1, metavar=m("n"), help=h("jobs"))
    run.add_argument("--lang", choices=("zh", "en"), help=h("lang"))
    run.add_argument("--quiet", "-q", action="store_true", help=h("quiet"))
    dask = run.add_mutually_exclusive_group()
    dask.add_argument("--workers", type=int, metavar=m("n"), help=h("workers"))
    dask.add_argument("--scheduler", metavar=m("address"), help=h("scheduler"))

    validate = sub.add_parser("validate", help=h("validate"), description=h("validate"))
    validate.add_argument("study", type=Path, metavar=m("study"), help=h("study"))

    init = sub.add_parser("init", help=h("init"), description=h("init"))
    init.add_argument("folder", type=Path, metavar=m("dir"), help=h("folder"))
    init.add_argument("--force", action="store_true", help=h("force"))

    codebook = sub.add_parser("codebook", help=h("codebook"), description=h("codebook"))
    cb_sub = codebook.add_subparsers(dest="codebook_command", metavar=h("action"))
    draft = cb_sub.add_parser("draft", help=h("draft"), description=h("draft"))
    draft.add_argument("export", type=Path, metavar=m("export"), help=h("export"))
    draft.add_argument("--sheet", default=0, metavar=m("sheet"), help=h("sheet"))
    draft.add_argument("--output", "-o", type=Path, metavar=m("file"), help=h("draft_output"))

    coding = sub.add_parser("coding", help=h("coding"), description=h("coding"))
    co_sub = coding.add_subparsers(dest="coding_command", metavar=h("action"))
    sample = co_sub.add_parser("sample", help=h("coding_sample"), description=h("coding_sample"))
    sample.add_argument("texts", type=Path, metavar=m("texts"), help=h("texts"))
    sample.add_argument(
        "--output", "-o", type=Path, required=True, metavar=m("dir"), help=h("coding_output")
    )
    sample.add_argument("--n", type=int, default=300, metavar=m("n"), help=h("n_passages"))
    sample.add_argument("--per-doc", type=int, metavar=m("n"), help=h("per_doc"))
    sample.add_argument("--seed", type=int, default=0, metavar=m("n"), help=h("seed"))
    sample.add_argument("--method", default="ensemble", metavar=m("method"), help=h("method"))
    sample.add_argument("--coders", type=int, default=2, metavar=m("n"), help=h("coders"))
    check = co_sub.add_parser("check", help=h("coding_check"), description=h("coding_check"))
    check.add_argument("key", type=Path, metavar=m("key"), help=h("key"))
    check.add_argument("sheets", type=Path, nargs="+", metavar=m("sheets"), help=h("sheets"))
    check.add_argument("--adjudicated", type=Path, metavar=m("file"), help=h("adjudicated"))
    check.add_argument("--output", "-o", type=Path, metavar=m("file"), help=h("check_output"))
    return parser


def locale_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """The language of the user's locale: ``"zh"`` when ``LC_ALL`` (or else ``LANG``) starts
    with ``zh``, otherwise ``"en"``."""
    env = os.environ if environ is None else environ
    value = env.get("LC_ALL") or env.get("LANG") or ""
    return "zh" if value.lower().startswith("zh") else "en"


def _study_lang(args: argparse.Namespace) -> Lang:
    """The language a command speaks: ``--lang``, else the study's, else the locale's."""
    if getattr(args, "lang", None) in ("zh", "en"):
        return args.lang  # type: ignore[no-any-return]
    study = getattr(args, "study", None)
    if isinstance(study, Path):
        from analysis.core.errors import AnalysisError
        from analysis.study.config import load_study

        try:
            return load_study(study, check_files=False).language
        except (AnalysisError, OSError):
            pass  # the command itself reports what is wrong
    return locale_lang()


def _run(args: argparse.Namespace) -> int:
    from analysis.study.pipeline import run_study

    progress = not args.quiet and sys.stderr.isatty()
    lang = _LANG[0]
    result = run_study(
        args.study,
        output=args.output,
        jobs=args.jobs,
        lang=args.lang,
        progress=progress,
        scheduler=args.scheduler,
        workers=args.workers,
    )
    for line in result.summary(lang):
        print(line)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from analysis.core.words import message
    from analysis.report.privacy import mask_pii
    from analysis.study.checks import validate_study

    notes: list[str] = []
    problems = validate_study(args.study, notes=notes)
    for line in notes:
        print(message("note", _LANG[0], text=mask_pii(line)))
    if not problems:
        print(message("no_problems", _LANG[0], path=args.study))
        return 0
    for line in problems:
        print(mask_pii(line))
    return 1


def _init(args: argparse.Namespace) -> int:
    from analysis.core.words import message
    from analysis.study.scaffold import init_study

    written = init_study(args.folder, force=args.force)
    for path in written:
        print(message("created", _LANG[0], path=path))
    return 0


def _codebook(args: argparse.Namespace) -> int:
    if args.codebook_command != "draft":
        parser = build_parser(_LANG[0])
        with _argparse_speaks(_LANG[0]):
            parser.parse_args(["codebook", "--help"])
        return 2
    from analysis.study.scaffold import dimension_hint
    from analysis.survey.drafting import draft_codebook

    sheet: int | str = int(args.sheet) if str(args.sheet).isdigit() else args.sheet
    text = draft_codebook(args.export, sheet=sheet, suggest=dimension_hint)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        from analysis.core.words import message

        print(message("wrote", _LANG[0], path=args.output))
    return 0


def _coding(args: argparse.Namespace) -> int:
    if args.coding_command not in ("sample", "check"):
        parser = build_parser(_LANG[0])
        with _argparse_speaks(_LANG[0]):
            parser.parse_args(["coding", "--help"])
        return 2
    from analysis.study.coding_command import coding_check, coding_sample

    run = coding_sample if args.coding_command == "sample" else coding_check
    for line in run(args, _LANG[0]):
        print(line)
    return 0


@contextmanager
def _argparse_speaks(lang: Lang) -> Iterator[None]:
    """Let argparse print its own words (usage, errors) in ``lang`` while parsing.

    argparse looks its messages up through its module's ``_`` (gettext) at the moment it
    prints them, and Python ships no Chinese catalogue for it; the stand-in is put back at
    once, so nothing outside the parse sees it.
    """
    from analysis.core.help_words import argparse_words

    original = argparse._  # type: ignore[attr-defined]
    argparse._ = argparse_words(lang, original)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = original  # type: ignore[attr-defined]


# the language the running command speaks (set by main: the study's, or the locale's)
_LANG: list[Lang] = ["en"]

_COMMANDS = {
    "run": _run,
    "validate": _validate,
    "init": _init,
    "codebook": _codebook,
    "coding": _coding,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``analysis`` command; returns the exit status."""
    words = locale_lang()
    parser = build_parser(words)
    with _argparse_speaks(words):
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
    import warnings

    from analysis.core.errors import AnalysisError, AnalysisWarning
    from analysis.core.warning_words import warning_label
    from analysis.core.words import message
    from analysis.report.privacy import mask_pii

    lang = _LANG[0] = _study_lang(args)
    show = warnings.showwarning

    def _show(text, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
        # our warnings are for the user: one plain line, no source location
        if issubclass(category, AnalysisWarning):
            print(message("warning", lang) + mask_pii(warning_label(text, lang)), file=sys.stderr)
        else:
            show(text, category, filename, lineno, file, line)

    warnings.showwarning = _show
    try:
        return _COMMANDS[args.command](args)
    except AnalysisError as exc:
        # the message names the offending value; a terminal log must not keep a phone number
        print(message("error", lang) + mask_pii(str(exc)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(message("interrupted", lang), file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = show


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
