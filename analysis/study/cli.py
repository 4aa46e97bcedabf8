"""The ``analysis`` command line: a thin layer over the library.

Commands::

    analysis run STUDY.yaml [--output DIR] [--jobs N] [--lang zh|en] [--quiet]
                            [--workers N | --scheduler tcp://HOST:8786]
    analysis validate STUDY.yaml
    analysis init DIR
    analysis codebook draft EXPORT [--sheet S] [--output FILE]

Errors the user can fix (:class:`~analysis.core.errors.AnalysisError`) print as one line,
``error: <message>`` (``错误：<message>``), with exit status 1; anything else is a bug and
shows its traceback. The command's own words (summary lines, progress bars, the
``warning:``/``error:`` prefixes) follow the study's ``report.language`` (or ``--lang``);
commands without a study follow the locale (``LC_ALL`` or ``LANG`` starting with ``zh``).
Library messages inside them stay as the library wrote them.
Only argparse is imported at start-up, so ``analysis --help`` answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

Lang = Literal["zh", "en"]  # as analysis.core.words.Lang; only argparse is imported at start-up

__all__ = ["build_parser", "locale_lang", "main"]


def _version() -> str:
    from analysis.core.provenance import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``analysis`` command."""
    parser = argparse.ArgumentParser(
        prog="analysis",
        description="Survey and Chinese text analytics for community governance research "
        "(基层服务型党组织与社区治理研究的问卷与文本分析).",
    )
    parser.add_argument("--version", action="version", version=f"analysis {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run a study: scores, comparisons, figures, reports")
    run.add_argument("study", type=Path, help="the study file (study.yaml)")
    run.add_argument(
        "--output",
        "-o",
        type=Path,
        help="write here instead of the study's output (default: output/ in the study folder)",
    )
    run.add_argument(
        "--jobs", "-j", type=int, default=1, help="processes working at once (default 1)"
    )
    run.add_argument("--lang", choices=("zh", "en"), help="report language (default: the study's)")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    dask = run.add_mutually_exclusive_group()
    dask.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="run the text step on a local Dask cluster of N worker processes",
    )
    dask.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the text step on the Dask cluster at ADDRESS (tcp://HOST:8786)",
    )

    validate = sub.add_parser("validate", help="list every problem in a study without running it")
    validate.add_argument("study", type=Path, help="the study file (study.yaml)")

    init = sub.add_parser("init", help="scaffold a new study folder")
    init.add_argument("folder", type=Path, help="folder to create")
    init.add_argument(
        "--force", action="store_true", help="write into an existing non-empty folder"
    )

    codebook = sub.add_parser("codebook", help="codebook tools")
    cb_sub = codebook.add_subparsers(dest="codebook_command", metavar="ACTION")
    draft = cb_sub.add_parser("draft", help="draft a codebook from a survey export")
    draft.add_argument("export", type=Path, help="survey export (xlsx, xls, csv, sav, dta)")
    draft.add_argument("--sheet", default=0, help="sheet name or index (xlsx, xls)")
    draft.add_argument("--output", "-o", type=Path, help="write the draft here (default: stdout)")
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
        build_parser().parse_args(["codebook", "--help"])
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


# the language the running command speaks (set by main: the study's, or the locale's)
_LANG: list[Lang] = ["en"]

_COMMANDS = {"run": _run, "validate": _validate, "init": _init, "codebook": _codebook}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``analysis`` command; returns the exit status."""
    parser = build_parser()
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
