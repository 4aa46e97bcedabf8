"""``analysis coding``: a coding round on a study's own documents, from the command line.

``analysis coding sample TEXTS --output DIR`` draws the passages
(:func:`~analysis.text.coding.coding_sample`) and writes the key, ``coding-key.csv``, and a
blind sheet per coder, ``coder-1.xlsx``, ``coder-2.xlsx``, ... .
``analysis coding check KEY SHEET [SHEET]`` reads the filled-in sheets: with two, it prints
the coders' agreement and, when they disagree, writes ``adjudication.xlsx`` beside the key
and stops until it comes back decided (``--adjudicated``); then it prints the classifier's
macro-F1 and accuracy against the final codings, on the sample and weighted to all passages,
and with ``--output`` writes the tables to a workbook (with each label's share of all the
passages, by the classifier and estimated from the codings).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from analysis.core.errors import InputError
from analysis.core.words import Lang, message

__all__ = ["coding_check", "coding_sample"]


def coding_sample(args: argparse.Namespace, lang: Lang) -> Iterator[str]:
    """Draw the sample, write the key and the coders' sheets; the lines to print."""
    from analysis.io.texts import read_texts
    from analysis.text.coding import coding_sample as draw
    from analysis.text.coding import write_coding_sheet

    if args.coders < 1:
        raise InputError(f"--coders must be at least 1, got {args.coders}")
    docs = read_texts(args.texts)
    sample = draw(docs, n=args.n, method=args.method, per_doc=args.per_doc, seed=args.seed)
    args.output.mkdir(parents=True, exist_ok=True)
    key = args.output / "coding-key.csv"
    sample.to_csv(key, index=False, encoding="utf-8-sig", lineterminator="\n")
    info = sample.attrs["coding_sample"]
    yield message(
        "coding_drawn",
        lang,
        drawn=info["drawn"],
        population=info["population"],
        documents=info["documents"],
    )
    yield message("wrote", lang, path=key)
    for k in range(1, args.coders + 1):
        yield message(
            "wrote", lang, path=write_coding_sheet(sample, args.output / f"coder-{k}.xlsx")
        )


def coding_check(args: argparse.Namespace, lang: Lang) -> Iterator[str]:
    """Agreement of the coders (two sheets), then the classifier against the codings."""
    from analysis.report.render import write_xlsx
    from analysis.text.coding import read_coding_sheet
    from analysis.text.coding_check import (
        check_codings,
        compare_codings,
        read_key,
        write_adjudication_sheet,
    )

    if len(args.sheets) > 2:
        raise InputError(f"give one or two coders' sheets, not {len(args.sheets)}")
    key = read_key(args.key)  # read once: the adjudication sheet's texts and the check
    codings = [read_coding_sheet(path) for path in args.sheets]
    tables = {}
    if len(codings) == 2:
        agree = compare_codings(*codings)
        yield message(
            "coding_agreement",
            lang,
            n=agree.n,
            agreement=agree.agreement,
            kappa=agree.kappa,
            alpha=agree.alpha,
            disagreements=len(agree.disagreements),
        )
        tables["agreement"] = agree.codings
        if len(agree.disagreements) and args.adjudicated is None:
            path = write_adjudication_sheet(agree, key, args.key.parent / "adjudication.xlsx")
            yield message("wrote", lang, path=path)
            yield message("coding_adjudicate", lang, path=path)
            return
        decided = None if args.adjudicated is None else read_coding_sheet(args.adjudicated)
        final = agree.final(decided)
    else:
        final = codings[0]
    check = check_codings(key, final)
    for figure, f1, (lo, hi), accuracy in (
        ("coding_sample_figure", check.macro_f1, check.ci95, check.accuracy),
        (
            "coding_weighted_figure",
            check.weighted_macro_f1,
            check.weighted_ci95,
            check.weighted_accuracy,
        ),
    ):
        yield message(
            "coding_figure",
            lang,
            figure=message(figure, lang),
            f1=f1,
            lo=lo,
            hi=hi,
            accuracy=accuracy,
            n=check.n,
            documents=check.documents,
        )
    if args.output is not None:
        tables = {
            "summary": check.summary().reset_index(),
            "per_label": check.report.reset_index(names="label"),
            "per_label_weighted": check.weighted_report.reset_index(names="label"),
            "confusion": check.confusion.reset_index(),
            "shares": check.shares.reset_index(),
            **tables,
        }
        yield message("wrote", lang, path=write_xlsx(tables, args.output))
