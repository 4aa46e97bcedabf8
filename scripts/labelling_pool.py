"""Draw the pool of corpus passages to be hand-labelled (see docs/labelling.md).

Reads ``../shared/corpora/documents.jsonl``, cuts every document into passages
(:func:`analysis.text.passages.split_passages`), guesses each passage's dimension with the
default lexicon of the time (a guess only, to spread the draw; coders never see it), and draws
a stratified, seeded sample: passages of every guessed dimension, passages with no or weak
evidence (the `none` candidates), procedural and ceremonial hard negatives, and passages about
party members from the CPC constitution and the congress reports. At most ``--per-doc``
passages come from one document, so the pool spans many documents.

Writes ``pool.csv`` (passage_id, doc_id, start, end, genre, text) to ``--out``, outside the
repository: passage text is never committed, only references.

    python scripts/labelling_pool.py --out /tmp/labelling --size 760

A later round adds to a labelled set: ``--exclude`` names the existing ``corpus_labels.csv``,
whose test documents are left out (they stay as they were), whose passages are not drawn
again (nor any passage overlapping one), and whose passages count towards ``--per-doc``;
``--prefix`` gives the new passages ids of their own (``q0001`` ...).

    python scripts/labelling_pool.py --out /tmp/labelling2 --size 420 --prefix q \
        --exclude analysis/resources/validation/corpus_labels.csv

A round that enlarges the test split draws from its documents only (``--from-test``): the
new passages are test passages, their documents keep their split, and nothing is tuned on
them, so the held-out figures get narrower intervals without any document changing sides.

    python scripts/labelling_pool.py --out /tmp/labelling5 --size 520 --prefix t \
        --exclude analysis/resources/validation/corpus_labels.csv --from-test

``--quota STRATUM=N`` draws up to N passages of one stratum whatever ``--size`` gives it, for
a round aimed at a thin class (the strata are printed with what each drew).

The ``uncertain`` stratum (empty unless given a quota) holds the passages the packaged model
is least sure of: the gap between its two most probable labels is below ``--margin``. Labelling
them teaches a model more per passage than labelling at random (margin sampling, Scheffer et
al. 2001); a round drawn so is meant for the development split, whose cross-validated figures
it makes harder, never for the test split, whose figures must stay a fair sample: the stratum
draws only from documents the labels of ``--exclude`` already put in the development split.

    python scripts/labelling_pool.py --out /tmp/labelling9 --size 200 --prefix z \
        --exclude analysis/resources/validation/corpus_labels.csv --quota uncertain=400
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

import analysis as an
from analysis.text.passages import split_passages

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "documents.jsonl"
PROCEDURE = re.compile(
    r"本(?:条例|办法|法|规定)|施行|根据|依照|依据|负责|主管部门|罚款|违反|审议|通过"
)
CEREMONY = re.compile(r"同志们|各位代表|万岁|热烈|隆重|表彰|荣获|评为|排名|先进集体")
MEMBERS = re.compile(r"党员|入党|党的基层组织|党支部|党小组|党费|党内")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--size", type=int, default=760)
    ap.add_argument("--per-doc", type=int, default=14)
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--exclude", type=Path, help="labels of an earlier round to add to")
    ap.add_argument("--prefix", default="p", help="first letter of the new passage ids")
    ap.add_argument(
        "--genres",
        help="comma-separated genres to draw from (default: all), for a round aimed at them",
    )
    ap.add_argument(
        "--from-test",
        action="store_true",
        help="with --exclude: draw from the test documents only (a round for the test split)",
    )
    ap.add_argument(
        "--quota",
        action="append",
        default=[],
        metavar="STRATUM=N",
        help="draw up to N passages of a stratum, whatever --size (repeatable)",
    )
    ap.add_argument(
        "--margin",
        type=float,
        default=0.3,
        help="the uncertain stratum: gap between the model's two most probable labels below this",
    )
    args = ap.parse_args()
    if args.from_test and args.exclude is None:
        ap.error("--from-test needs --exclude (the labels whose test documents to draw from)")
    if any(q.startswith("uncertain=") for q in args.quota) and (
        args.from_test or args.exclude is None
    ):
        ap.error(
            "an uncertain quota draws from documents already in the development split: it needs "
            "--exclude and refuses --from-test (the test split must stay a fair sample)"
        )

    docs = pd.DataFrame([json.loads(line) for line in args.corpus.open(encoding="utf-8")])
    passages = split_passages(docs[["doc_id", "text"]], min_chars=40, max_chars=200)
    passages = passages.merge(docs[["doc_id", "genre"]], on="doc_id")
    if args.genres:
        wanted = {g.strip() for g in args.genres.split(",") if g.strip()}
        unknown = wanted - set(docs["genre"])
        if unknown:
            ap.error(
                f"unknown genres {sorted(unknown)}; the corpus has {sorted(set(docs['genre']))}"
            )
        passages = passages[passages["genre"].isin(wanted)]
    passages["pid"] = passages["doc_id"] + ":" + passages["start"].astype(str)
    scores = an.score_texts(
        passages.rename(columns={"pid": "doc_id", "doc_id": "source"})[["doc_id", "text"]]
    )
    wide = scores.pivot(index="doc_id", columns="dimension", values="weighted_hits")
    best = wide.idxmax(axis=1).where(wide.max(axis=1) >= 1.5, "none")
    passages["guess"] = passages["pid"].map(best)
    passages["evidence"] = passages["pid"].map(wide.sum(axis=1))

    per_doc: dict[str, int] = {}
    dev_docs: set[str] = set()
    if args.exclude is not None:
        earlier = pd.read_csv(args.exclude, dtype={"start": int, "end": int})
        test_docs = set(earlier.loc[earlier["split"] == "test", "doc_id"])
        dev_docs = set(earlier.loc[earlier["split"] == "dev", "doc_id"])
        passages = passages[passages["doc_id"].isin(test_docs) == args.from_test]
        spans = earlier.groupby("doc_id")[["start", "end"]].apply(lambda f: f.to_numpy())
        overlaps = [
            row.doc_id in spans.index
            and bool(
                ((spans[row.doc_id][:, 0] < row.end) & (row.start < spans[row.doc_id][:, 1])).any()
            )
            for row in passages.itertuples()
        ]
        passages = passages[~np.array(overlaps, dtype=bool)]
        per_doc = earlier["doc_id"].value_counts().to_dict()
        print(f"{len(passages)} passages left after excluding {len(earlier)} labelled")

    rng = np.random.default_rng(args.seed)
    passages = passages.iloc[rng.permutation(len(passages))].reset_index(drop=True)
    strata = {
        "reform": (passages["guess"] == "reform", 110),
        "development": (passages["guess"] == "development", 110),
        "livelihood": (passages["guess"] == "livelihood", 110),
        "masses": (passages["guess"] == "masses", 100),
        "members": (
            passages["text"].str.contains(MEMBERS)
            & passages["genre"].isin(["congress_report", "party_regulation"]),
            110,
        ),
        "members-elsewhere": (passages["guess"] == "members", 30),
        "none-weak": (passages["guess"] == "none", 90),
        "procedure": (passages["text"].str.contains(PROCEDURE) & (passages["evidence"] > 0), 60),
        "ceremony": (passages["text"].str.contains(CEREMONY), 40),
        "uncertain": (pd.Series(False, index=passages.index), 0),
    }
    fixed = _fixed_quotas(args.quota, strata, ap)
    if fixed.get("uncertain"):
        # only documents whose split is settled: a new document might be drawn into test
        in_dev = passages["doc_id"].isin(dev_docs)
        strata["uncertain"] = (in_dev & (model_margin(passages) < args.margin), 0)
    taken: set[str] = set()
    chosen = []
    # The quotas above make a pool of 760; --size scales them all but those set by --quota.
    scale = args.size / sum(quota for _, quota in strata.values())
    for name, (mask, quota) in strata.items():
        quota = fixed.get(name, round(quota * scale))
        got = 0
        for row in passages[mask].itertuples():
            if got >= quota:
                break
            if row.pid in taken or per_doc.get(row.doc_id, 0) >= args.per_doc:
                continue
            taken.add(row.pid)
            per_doc[row.doc_id] = per_doc.get(row.doc_id, 0) + 1
            chosen.append((row.pid, row.doc_id, row.start, row.end, row.genre, row.text, name))
            got += 1
        print(f"{name}: {got}")
    pool = pd.DataFrame(
        chosen, columns=["pid", "doc_id", "start", "end", "genre", "text", "stratum"]
    )
    pool = pool.iloc[rng.permutation(len(pool))].reset_index(drop=True)
    pool.insert(0, "passage_id", [f"{args.prefix}{i + 1:04d}" for i in range(len(pool))])
    args.out.mkdir(parents=True, exist_ok=True)
    pool.drop(columns=["pid"]).to_csv(args.out / "pool.csv", index=False)
    print(f"{len(pool)} passages from {pool['doc_id'].nunique()} documents -> {args.out}")


def model_margin(passages: pd.DataFrame) -> pd.Series:
    """Gap between the packaged model's two most probable labels, passage by passage."""
    labelled = an.classify_texts(
        passages[["pid", "text"]].rename(columns={"pid": "doc_id"}), "model"
    ).set_index("doc_id")
    columns = [c for c in labelled.columns if c.startswith("p_")]
    proba = np.sort(labelled.loc[passages["pid"], columns].to_numpy(), axis=1)
    return pd.Series(proba[:, -1] - proba[:, -2], index=passages.index)


def _fixed_quotas(
    specs: list[str], strata: dict[str, tuple[pd.Series, int]], ap: argparse.ArgumentParser
) -> dict[str, int]:
    """``{stratum: N}`` from ``--quota STRATUM=N`` options, refusing unknown strata."""
    fixed: dict[str, int] = {}
    for spec in specs:
        name, _, number = spec.partition("=")
        if name not in strata or not number.isdigit():
            ap.error(f"--quota {spec!r}: expected STRATUM=N with a stratum of {sorted(strata)}")
        fixed[name] = int(number)
    return fixed


if __name__ == "__main__":
    main()
