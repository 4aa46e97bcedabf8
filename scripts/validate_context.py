"""Regenerate ``docs/validation_context.md`` and ``.json``: what the text around a passage adds.

Usage::

    python scripts/validate_context.py                 # figures and docs only
    python scripts/validate_context.py --write-model   # also retrain the packaged context model

Needs the public corpus (``../shared/corpora/documents.jsonl``): each labelled passage's
context is the ``CONTEXT_CHARS`` characters of its document on either side of it
(:func:`analysis.text.context.passage_context`).

1. On the development documents, grouped 5-fold cross-validation (the folds of
   ``scripts/validate_text.py``) gives out-of-fold probabilities of the packaged methods'
   settings (model, ensemble, encoder head, encoder ensemble) and of context classifiers
   for each C of ``C_GRID``. The C and each method's weight of the context are chosen there
   (:func:`analysis.text.context.choose_weights`), and the mixtures' temperatures learnt.
2. The test documents are read once: every part is refitted on the development passages
   and each method is scored with and without the context, with document-bootstrap
   intervals and a paired interval for the difference.
3. ``--write-model`` refits the context classifier on all labelled passages with the chosen
   settings and writes ``analysis/resources/models/service-five-context.json.gz``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from validate_text import (  # a script beside this one
    LABELS,
    ROOT,
    argmax,
    by_genre,
    head_cv_proba,
    md_table,
)

from analysis.core.provenance import file_sha256
from analysis.text.classifier import DimensionClassifier, default_classifier
from analysis.text.context import (
    CONTEXT_CHARS,
    MIXED_METHODS,
    WEIGHT_GRID,
    ContextClassifier,
    choose_weights,
    passage_context,
)
from analysis.text.corpus import find_corpus, load_labelled_passages
from analysis.text.encoder import encoder_available, sentence_encoder
from analysis.text.encoder_head import EncoderClassifier, default_encoder_head
from analysis.text.evaluation import (
    aligned,
    bootstrap_macro_f1,
    class_report,
    grouped_cv_predict,
    macro_f1,
    method_outputs,
)
from analysis.text.features import lexicon_evidence
from analysis.text.lexicon_calibration import calibrated_within_folds
from analysis.text.lexicon_file import default_lexicon, hand_weighted_lexicon
from analysis.text.probability_checks import calibration_summary, one_hot, share_errors
from analysis.text.temperature import temper

MODEL = ROOT / "analysis" / "resources" / "models" / "service-five-context.json.gz"
#: C of the context's logistic regression
C_GRID = (3.0, 10.0, 30.0)


def context_cv(contexts: list[str], y: np.ndarray, groups: np.ndarray, C: float) -> np.ndarray:
    """Out-of-fold probabilities of a context classifier, on the folds of validate_text."""
    from sklearn.model_selection import GroupKFold

    proba = np.zeros((len(y), len(LABELS)))
    for train, test in GroupKFold(n_splits=5).split(contexts, y, groups):
        ctx = ContextClassifier(C=C).fit([contexts[i] for i in train], y[train])
        proba[test] = aligned(ctx.predict_proba([contexts[i] for i in test]), ctx.classes_, LABELS)
    return proba


def method_probas(out, clf: DimensionClassifier, head: EncoderClassifier | None) -> dict:
    """Each mixable method's untempered probabilities (columns ``LABELS``)."""
    methods = {"model": out.proba("model"), "ensemble": out.proba("ensemble", clf.ensemble_weight)}
    if head is not None:
        weights = list(head.weights().values())
        methods["encoder"] = out.proba("encoder")
        methods["encoder_ensemble"] = out.proba("encoder_ensemble", weights=weights)
    return {m: aligned(p, out.classes, LABELS) for m, p in methods.items()}


def paired_difference(y, alone, mixed, groups, n_boot: int, seed: int = 0):
    """Macro-F1 with the context minus without, and its document-bootstrap 95% interval."""
    rng = np.random.default_rng(seed)
    docs = np.unique(groups)
    rows = {d: np.flatnonzero(groups == d) for d in docs}
    diffs = []
    for _ in range(n_boot):
        pick = np.concatenate([rows[d] for d in rng.choice(docs, size=len(docs))])
        diffs.append(
            macro_f1(y[pick], mixed[pick], LABELS) - macro_f1(y[pick], alone[pick], LABELS)
        )
    point = macro_f1(y, mixed, LABELS) - macro_f1(y, alone, LABELS)
    low, high = np.percentile(diffs, [2.5, 97.5])
    return float(point), float(low), float(high)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--write-model", action="store_true")
    ap.add_argument("--n-boot", type=int, default=2000)
    ap.add_argument(
        "--cache-dir", type=Path, default=Path.home() / ".cache" / "analysis" / "embeddings"
    )
    args = ap.parse_args()
    started = time.time()
    corpus = find_corpus(args.corpus)
    if corpus is None:
        raise SystemExit("the public corpus documents.jsonl was not found; pass --corpus")
    p = load_labelled_passages(corpus)
    documents = {}
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            documents[doc["doc_id"]] = doc["text"]
    contexts = [
        passage_context(documents[r.doc_id], r.start, r.end, CONTEXT_CHARS) for r in p.itertuples()
    ]
    texts = p["text"].tolist()
    y = p["label"].to_numpy(dtype=object)
    groups = p["doc_id"].to_numpy()
    dev = np.flatnonzero(p["split"].to_numpy() == "dev")
    test = np.flatnonzero(p["split"].to_numpy() == "test")
    packaged = default_classifier()
    settings = {
        k: v for k, v in packaged.get_params().items() if k not in ("lexicon", "temperatures")
    }
    lex = default_lexicon()
    head = None
    emb = None
    if encoder_available():
        head = default_encoder_head()
        emb = sentence_encoder(head.variant, head.prefix).embed(texts, cache_dir=args.cache_dir)

    # 1. development folds
    dev_texts = [texts[i] for i in dev]
    fold_evidence = calibrated_within_folds(hand_weighted_lexicon(), dev_texts, y[dev])
    out = grouped_cv_predict(
        lambda: DimensionClassifier(lex, **settings), dev_texts, y[dev], groups[dev], fold_evidence
    )
    if head is not None:
        out = out.with_encoder(
            aligned(
                head_cv_proba(
                    lambda: EncoderClassifier(**head.get_params()), emb[dev], y[dev], groups[dev]
                ),
                LABELS,
                out.classes,
            )
        )
    dev_methods = method_probas(out, packaged, head)
    dev_contexts = [contexts[i] for i in dev]
    grid = {}
    for c in C_GRID:
        ctx_p = context_cv(dev_contexts, y[dev], groups[dev], c)
        weights, temperatures, scores = choose_weights(y[dev], dev_methods, ctx_p, LABELS)
        grid[c] = {
            "context_alone": macro_f1(y[dev], argmax(ctx_p), LABELS),
            "weights": weights,
            "temperatures": temperatures,
            "scores": scores,
        }
        print(f"C={c}: context alone {grid[c]['context_alone']:.3f}, {weights}", flush=True)
    # ties: the smaller C
    best_c = max(
        C_GRID, key=lambda c: (grid[c]["scores"]["model"][grid[c]["weights"]["model"]], -c)
    )
    chosen = grid[best_c]
    weights, temperatures = chosen["weights"], chosen["temperatures"]
    dev_f1 = {
        m: {"alone": chosen["scores"][m][0.0], "with_context": chosen["scores"][m][weights[m]]}
        for m in dev_methods
    }

    # 2. the test documents
    ev = lexicon_evidence(texts, lex)
    clf = DimensionClassifier(lex, **settings).fit(dev_texts, y[dev], evidence=ev.rows(dev))
    test_out = method_outputs(clf, [texts[i] for i in test], ev.rows(test))
    if head is not None:
        dev_head = EncoderClassifier(**head.get_params()).fit(
            dev_texts, y[dev], embeddings=emb[dev]
        )
        test_out = test_out.with_encoder(
            aligned(
                dev_head.predict_proba([texts[i] for i in test], embeddings=emb[test]),
                dev_head.classes_,
                test_out.classes,
            )
        )
    test_methods = method_probas(test_out, packaged, head)
    ctx = ContextClassifier(C=best_c, weights=weights, temperatures=temperatures)
    ctx.fit(dev_contexts, y[dev])
    ctx_test = aligned(ctx.predict_proba([contexts[i] for i in test]), ctx.classes_, LABELS)
    yt, gt = y[test], groups[test]
    test_figures = {}
    test_labels: dict[str, np.ndarray] = {}
    for m, own in test_methods.items():
        mixture = (1 - weights[m]) * own + weights[m] * ctx_test
        alone, mixed = argmax(own), argmax(mixture)
        test_labels[f"{m} alone"], test_labels[f"{m} with context"] = alone, mixed
        report = class_report(yt, mixed, LABELS)
        test_figures[m] = {
            "alone": bootstrap_macro_f1(yt, alone, gt, LABELS, n_boot=args.n_boot),
            "with_context": bootstrap_macro_f1(yt, mixed, gt, LABELS, n_boot=args.n_boot),
            "with_context_percentile": bootstrap_macro_f1(
                yt, mixed, gt, LABELS, n_boot=args.n_boot, method="percentile"
            )[1:],
            "difference": paired_difference(yt, alone, mixed, gt, args.n_boot),
            "f1_by_label": {lab: float(report.loc[lab, "f1"]) for lab in LABELS},
            "ece": calibration_summary(yt, temper(mixture, temperatures[m]), LABELS)["ece"],
            "share_error": share_errors(yt, one_hot(mixed, LABELS), gt, LABELS)["max_abs_error"],
        }
        print(m, test_figures[m]["alone"][0], test_figures[m]["with_context"][0], flush=True)
    figures = {
        "context_chars": CONTEXT_CHARS,
        "C": best_c,
        "C_grid": {str(c): grid[c]["context_alone"] for c in C_GRID},
        "weights": weights,
        "temperatures": temperatures,
        "dev": {"passages": len(dev), "documents": len(set(groups[dev]))},
        "dev_macro_f1": dev_f1,
        "dev_scores": {m: {str(w): s for w, s in v.items()} for m, v in chosen["scores"].items()},
        "test": {"passages": len(test), "documents": len(set(gt))},
        "test_figures": test_figures,
        "test_by_genre": by_genre(yt, test_labels, gt, corpus).round(4).to_dict(orient="index"),
        "corpus_sha256": file_sha256(corpus)[:16],
        "labels_sha256": file_sha256(
            ROOT / "analysis" / "resources" / "validation" / "corpus_labels.csv"
        )[:16],
        "encoder": None if head is None else head.info_.get("encoder"),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "validation_context.json").write_text(
        json.dumps(figures, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    (args.out / "validation_context.md").write_text(render(figures), encoding="utf-8")
    if args.write_model:
        final = ContextClassifier(C=best_c, weights=weights, temperatures=temperatures)
        final.fit(contexts, y)
        # the model it was weighed beside: only with that model are its weights the chosen
        final.info_["model_fingerprint"] = packaged.info_["training_fingerprint"]
        # the held-out figures of the mixtures, in the record a report states
        final.info_["validation"] = {
            "test_documents": figures["test"]["documents"],
            "test_passages": figures["test"]["passages"],
            "test_macro_f1": {
                m: {
                    "f1": f["with_context"][0],
                    "ci95": list(f["with_context"][1:]),
                    "ci95_percentile": list(f["with_context_percentile"]),
                }
                for m, f in test_figures.items()
            },
            "test_share_error": {m: f["share_error"] for m, f in test_figures.items()},
            "test_ece": {m: f["ece"] for m, f in test_figures.items()},
        }
        final.save(MODEL)
        print(f"wrote {MODEL} ({MODEL.stat().st_size // 1024} kB)")
    print(f"done in {time.time() - started:.0f} s")


def render(f: dict) -> str:
    weights = f["weights"]
    # in the order of MIXED_METHODS, whether the figures come from the run or from the JSON
    methods = [m for m in MIXED_METHODS if m in f["test_figures"]]
    lines = [
        "# What the text around a passage adds",
        "",
        "_Generated by `python scripts/validate_context.py`; do not edit by hand. Corpus sha256 "
        f"`{f['corpus_sha256']}`, labels sha256 `{f['labels_sha256']}`._",
        "",
        "A coder reads a passage in its place in the document. The methods of "
        "[`validation.md`](validation.md) read it alone. The context classifier "
        "(`analysis.text.context`) reads the "
        f"{f['context_chars']} characters before and after it (the passage itself left out): "
        "character 1-2-grams, TF-IDF, a multinomial logistic regression with balanced class "
        f"weights, C = {f['C']:g}. Its probabilities are mixed into each method's, "
        "`(1 - w) * p_method + w * p_context`; the lexicon method is never mixed. "
        "`classify_texts` mixes them in only where a passage's document is known "
        "(`by_passage=True`, as in the study reports, or a `context` column from "
        "`split_passages(..., context_chars=300)`); a passage given alone is classified as "
        "in `validation.md`.",
        "",
        f"## Development documents: grouped 5-fold cross-validation ({f['dev']['passages']} "
        f"passages, {f['dev']['documents']} documents)",
        "",
        "The folds of `validation.md`. Every fold refits the methods with the packaged "
        "settings and the context classifier on the other folds. Macro-F1 of the context "
        "alone by C: "
        + ", ".join(f"C = {float(c):g}: {v:.3f}" for c, v in f["C_grid"].items())
        + f". C = {f['C']:g} was chosen (best mixture with the model; ties to the smaller C). "
        "Macro-F1 by the weight of the context (ties go to the smaller weight):",
        "",
        "| method | " + " | ".join(f"w={w:g}" for w in WEIGHT_GRID) + " | chosen w | T |",
        "|---|" + "---|" * (len(WEIGHT_GRID) + 2),
    ]
    for m in [m for m in MIXED_METHODS if m in f["dev_scores"]]:
        row = f["dev_scores"][m]
        lines.append(
            f"| {m} | "
            + " | ".join(f"{row[str(float(w))]:.3f}" for w in WEIGHT_GRID)
            + f" | {weights[m]:g} | {f['temperatures'][m]:.2f} |"
        )
    lines += [
        "",
        f"## Test documents ({f['test']['passages']} passages, {f['test']['documents']} "
        "documents, never used for tuning)",
        "",
        "Every part refitted on the development passages. Macro-F1 with 95% BCa intervals from "
        "resampling whole documents; the difference with a paired percentile interval from "
        "the same resampling; ECE of the tempered mixture.",
        "",
        "| method | alone | with context | difference | ECE |",
        "|---|---|---|---|---|",
    ]
    for m, t in ((m, f["test_figures"][m]) for m in methods):
        a, c, d = t["alone"], t["with_context"], t["difference"]
        lines.append(
            f"| {m} | {a[0]:.3f} ({a[1]:.3f}-{a[2]:.3f}) | {c[0]:.3f} ({c[1]:.3f}-{c[2]:.3f}) "
            f"| {d[0]:+.3f} ({d[1]:+.3f} to {d[2]:+.3f}) | {t['ece']:.3f} |"
        )
    lines += [
        "",
        "F1 by label with the context:",
        "",
        "| method | " + " | ".join(LABELS) + " |",
        "|---|" + "---|" * len(LABELS),
    ]
    for m, t in ((m, f["test_figures"][m]) for m in methods):
        lines.append(
            f"| {m} | " + " | ".join(f"{t['f1_by_label'][lab]:.3f}" for lab in LABELS) + " |"
        )
    genre = pd.DataFrame.from_dict(f["test_by_genre"], orient="index").rename_axis("genre")
    genre = genre[
        ["documents", "passages"]
        + [f"{m} {how}" for m in methods for how in ("alone", "with context")]
    ]
    lines += [
        "",
        "Macro-F1 by genre of document, alone and with the context (labels absent from a "
        "genre's passages and predictions left out):",
        "",
        md_table(genre),
    ]
    lines += [
        "",
        "The test passages' contexts overlap other test passages of the same document, never a "
        "development document: the split keeps documents whole. What the context adds depends "
        "on how documents are laid out, and differs by genre (above); a collection of "
        "unrelated short texts gives it nothing to read. That is one more reason to check a "
        "coded sample of one's own documents (`analysis coding`).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
