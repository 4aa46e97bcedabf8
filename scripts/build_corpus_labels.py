"""Assemble ``analysis/resources/validation/corpus_labels.csv`` from the two coding passes.

Inputs (outside the repository, made as ``docs/labelling.md`` describes):

- ``pool.csv`` from ``scripts/labelling_pool.py`` (passage_id, doc_id, start, end, genre, text);
- ``A/out_*.csv`` and ``B/out_*.csv``: the two independent passes
  (passage_id, label, secondary, reason);
- ``adjudicated.csv``: the adjudicator's decision on every passage where the passes differ
  (passage_id, label, secondary, reason).

The document split is drawn here, before any model or lexicon is tuned: within each genre, a
seeded quarter of the documents (at least one) goes to ``test``, the rest to ``dev``. The
output holds references and labels only; the passage text is checked by its hash on load.

    python scripts/build_corpus_labels.py --work /tmp/labelling

A later round (a pool drawn with ``labelling_pool.py --exclude``) is added to the labels
already in the repository with ``--add-to``: the earlier rows are kept as they are, documents
already labelled keep their split, and only the documents new to this round are split, by the
same rule among themselves.

    python scripts/build_corpus_labels.py --work /tmp/labelling2 \
        --add-to analysis/resources/validation/corpus_labels.csv

A round drawn from the test documents alone (``labelling_pool.py --from-test``) is added the
same way; its passages are test passages, as their documents are.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.text.corpus import passage_hash

OUT = Path(__file__).resolve().parents[1] / "analysis" / "resources" / "validation"
SEED = 20261204


def document_split(pool: pd.DataFrame, seed: int = SEED, share: float = 0.25) -> dict[str, str]:
    """``{doc_id: "dev" | "test"}``: a seeded share of each genre's documents held out."""
    rng = np.random.default_rng(seed)
    split: dict[str, str] = {}
    docs = pool.drop_duplicates("doc_id").sort_values(["genre", "doc_id"])
    for _, group in docs.groupby("genre", sort=True):
        ids = group["doc_id"].to_numpy()[rng.permutation(len(group))]
        n_test = max(1, round(share * len(ids))) if len(ids) > 1 else 0
        split.update({d: "test" for d in ids[:n_test]})
        split.update({d: "dev" for d in ids[n_test:]})
    return split


def read_pass(folder: Path) -> pd.DataFrame:
    parts = [
        pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob("out_*.csv"))
    ]
    frame = pd.concat(parts, ignore_index=True)
    dup = frame["passage_id"].duplicated(keep=False)
    if dup.any():
        raise SystemExit(
            f"{folder}: duplicate passage ids {sorted(set(frame.loc[dup, 'passage_id']))[:5]}"
        )
    return frame.set_index("passage_id")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=OUT / "corpus_labels.csv")
    ap.add_argument("--add-to", type=Path, help="labels of earlier rounds to keep and add to")
    args = ap.parse_args()
    pool = pd.read_csv(
        args.work / "pool.csv", dtype={"start": int, "end": int}, keep_default_na=False
    )
    a, b = read_pass(args.work / "A"), read_pass(args.work / "B")
    missing = set(pool["passage_id"]) - set(a.index) | set(pool["passage_id"]) - set(b.index)
    if missing:
        raise SystemExit(f"passages without both labels: {sorted(missing)[:10]} ({len(missing)})")
    adjudicated_path = args.work / "adjudicated.csv"
    adj = (
        pd.read_csv(adjudicated_path, dtype=str, keep_default_na=False).set_index("passage_id")
        if adjudicated_path.exists()
        else pd.DataFrame(columns=["label", "secondary", "reason"])
    )
    earlier = (
        pd.read_csv(args.add_to, dtype=str, keep_default_na=False)
        if args.add_to is not None
        else None
    )
    if earlier is None:
        split = document_split(pool)
    else:
        clash = set(pool["passage_id"]) & set(earlier["passage_id"])
        if clash:
            raise SystemExit(f"passage ids already labelled: {sorted(clash)[:5]}")
        split = dict(zip(earlier["doc_id"], earlier["split"], strict=True))
        test_docs = {d for d, s in split.items() if s == "test"}
        in_test = pool["doc_id"].isin(test_docs)
        # a round is either for the test documents alone (labelling_pool.py --from-test) or
        # keeps clear of them: a mix would suggest a pool drawn against other labels
        if in_test.any() and not in_test.all():
            raise SystemExit(
                "the new pool mixes test documents of an earlier round with others; "
                "draw a test round with labelling_pool.py --from-test"
            )
        split.update(document_split(pool[~pool["doc_id"].isin(split)]))
    rows = []
    for p in pool.itertuples(index=False):
        ra, rb = a.loc[p.passage_id], b.loc[p.passage_id]
        if ra["label"] == rb["label"]:
            final, how = ra, "agreed"
            secondary = ra["secondary"] or rb["secondary"]
        elif p.passage_id in adj.index:
            final, how = adj.loc[p.passage_id], "adjudicated"
            secondary = final["secondary"]
        else:
            raise SystemExit(f"{p.passage_id}: passes differ and there is no adjudication")
        rows.append(
            {
                "passage_id": p.passage_id,
                "doc_id": p.doc_id,
                "start": p.start,
                "end": p.end,
                "text_sha256": passage_hash(p.text),
                "split": split[p.doc_id],
                "label": final["label"],
                "secondary": "" if secondary == final["label"] else secondary,
                "reason": final["reason"],
                "adjudication": how,
                "label_a": ra["label"],
                "secondary_a": ra["secondary"],
                "reason_a": ra["reason"],
                "label_b": rb["label"],
                "secondary_b": rb["secondary"],
                "reason_b": rb["reason"],
            }
        )
    out = pd.DataFrame(rows)
    if earlier is not None:
        earlier["start"] = earlier["start"].astype(int)
        earlier["end"] = earlier["end"].astype(int)
        out = pd.concat([earlier, out], ignore_index=True)
    out = out.sort_values(["doc_id", "start"]).reset_index(drop=True)
    out.to_csv(args.out, index=False)
    print(f"{len(out)} passages, {out['doc_id'].nunique()} documents -> {args.out}")
    print(out.groupby(["split", "label"]).size().unstack(fill_value=0))


if __name__ == "__main__":
    main()
