"""Recalibrate the packaged lexicon's term weights on the development passages.

One command, from a source checkout with the public corpus next to it (``../shared/corpora``
or ``$ANALYSIS_CORPUS``)::

    python scripts/calibrate_lexicon.py

It reads the hand weights of ``analysis/resources/lexicon/service-five.yaml``, counts how
often each term's hits fall in development passages coded with the term's dimension
(:func:`analysis.text.lexicon_calibration.calibrate_lexicon`, one pseudo-passage at one half)
and writes ``service-five.calibration.csv`` beside it, which the YAML names under
``calibration:``. Test documents are never read. Run it after every edit of the lexicon's
terms or weights (the reader refuses a calibration made from other hand weights), then
``python scripts/validate_text.py --write-model``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.text.corpus import find_corpus, load_labelled_passages
from analysis.text.lexicon_calibration import calibrate_lexicon
from analysis.text.lexicon_file import hand_weighted_lexicon

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "analysis" / "resources" / "lexicon" / "service-five.calibration.csv"
#: pseudo-passages at one half; 0.5, 1 and 2 gave dev macro-F1 within 0.001 of each other
STRENGTH = 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    corpus = find_corpus(args.corpus)
    if corpus is None:
        raise SystemExit("the public corpus documents.jsonl was not found; pass --corpus")
    p = load_labelled_passages(corpus)
    dev = p[p["split"] == "dev"]
    cal = calibrate_lexicon(
        hand_weighted_lexicon(), dev["text"].tolist(), dev["label"].tolist(), strength=STRENGTH
    )
    cal.write(args.out)
    t = cal.table
    seen = t[t["passages"] > 0]
    ratio = seen["weight"] / seen["hand_weight"]
    print(
        f"{len(dev)} development passages from {dev['doc_id'].nunique()} documents; "
        f"{len(seen)} of {len(t)} terms hit at least one passage "
        f"(weight x{ratio.min():.2f} to x{ratio.max():.2f}, median x{ratio.median():.2f}); "
        f"wrote {args.out}"
    )


if __name__ == "__main__":
    main()
