"""Run ``an.suggest_terms`` on the government work reports: candidate terms for the lexicon.

Unlabelled self-training: the lexicon's own hits label the sentences, and words that keep
company with a dimension's terms are suggested for it. Only reports outside the test split of
the labelled corpus are used (the test documents stay unseen). Every candidate is reviewed by
hand; the decisions are recorded in ``docs/lexicon_suggestions.md``.

    python scripts/suggest_lexicon_terms.py --n 25 > /tmp/suggestions.md
"""

from __future__ import annotations

import argparse
import json

import pandas as pd

import analysis as an
from analysis.text.corpus import find_corpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=25)
    ap.add_argument("--min-count", type=int, default=8)
    args = ap.parse_args()
    corpus = find_corpus()
    if corpus is None:
        raise SystemExit("the public corpus documents.jsonl was not found")
    test_docs = set(an.load_labelled_passages(with_text=False).query("split == 'test'")["doc_id"])
    rows = [json.loads(line) for line in corpus.open(encoding="utf-8")]
    docs = pd.DataFrame(
        [
            {"doc_id": r["doc_id"], "text": r["text"]}
            for r in rows
            if r["genre"] == "government_work_report" and r["doc_id"] not in test_docs
        ]
    )
    lex = an.default_lexicon()
    print(f"{len(docs)} government work reports (no test documents), {lex.name} {lex.version}")
    for dim in lex.framework.ids:
        cands = an.suggest_terms(docs, lex, dim, n=args.n, min_count=args.min_count)
        pairs = zip(cands["term"], cands["n_with_seed"], strict=True)
        terms = ", ".join(f"{t} ({k})" for t, k in pairs)
        print(f"\n{dim}: {terms}")


if __name__ == "__main__":
    main()
