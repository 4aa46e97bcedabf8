"""The ``analysis`` command line: a thin layer over the library.

Commands::

    analysis run STUDY.yaml [--output DIR] [--jobs N] [--lang zh|en] [--quiet]
                            [--workers N | --scheduler tcp://HOST:8786]
    analysis validate STUDY.yaml
    analysis init DIR
    analysis codebook draft EXPORT [--sheet S] [--output FILE]

Errors the user can fix (:class:`~analysis.core.errors.AnalysisError`) print as one line,
``error: <message>``, with exit status 1; anything else is a bug and shows its traceback.
Only argparse is imported at start-up, so ``analysis --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["build_parser", "main"]


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


def _run(args: argparse.Namespace) -> int:
    from analysis.study.pipeline import run_study

    progress = not args.quiet and sys.stderr.isatty()
    result = run_study(
        args.study,
        output=args.output,
        jobs=args.jobs,
        lang=args.lang,
        progress=progress,
        scheduler=args.scheduler,
        workers=args.workers,
    )
    for line in result.summary():
        print(line)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from analysis.report.privacy import mask_pii
    from analysis.study.checks import validate_study

    notes: list[str] = []
    problems = validate_study(args.study, notes=notes)
    for line in notes:
        print(f"note: {mask_pii(line)}")
    if not problems:
        print(f"{args.study}: no problems found")
        return 0
    for line in problems:
        print(mask_pii(line))
    return 1


def _init(args: argparse.Namespace) -> int:
    from analysis.study.scaffold import init_study

    written = init_study(args.folder, force=args.force)
    for path in written:
        print(f"created {path}")
    return 0


def _codebook(args: argparse.Namespace) -> int:
    if args.codebook_command != "draft":
        build_parser().parse_args(["codebook", "--help"])
        return 2
    from analysis.survey.drafting import draft_codebook

    sheet: int | str = int(args.sheet) if str(args.sheet).isdigit() else args.sheet
    text = draft_codebook(args.export, sheet=sheet)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


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
    from analysis.report.privacy import mask_pii

    show = warnings.showwarning

    def _show(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
        # our warnings are for the user: one plain line, no source location
        if issubclass(category, AnalysisWarning):
            print(f"warning: {mask_pii(str(message))}", file=sys.stderr)
        else:
            show(message, category, filename, lineno, file, line)

    warnings.showwarning = _show
    try:
        return _COMMANDS[args.command](args)
    except AnalysisError as exc:
        # the message names the offending value; a terminal log must not keep a phone number
        print(f"error: {mask_pii(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = show


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
