"""Re-code the labelled passages a revision of the labelling rules touches.

When ``docs/labelling.md`` settles points it had left open, the passages those points bear on
are coded again under the revised rules, in both splits, the same way a round is coded: two
independent passes that see only the rules and the passages (not the earlier labels, not any
model's output), and an adjudicator for their disagreements. Which passages a revision
touches is decided by the patterns below, fixed before the re-coding, never by a model's
errors.

    python scripts/recode_labels.py pool --work /tmp/recode --rules 1.1
    # ... passes A and B write A/out_*.csv and B/out_*.csv (passage_id, label, secondary,
    # reason); the adjudicator writes adjudicated.csv for the passages where they differ ...
    python scripts/recode_labels.py apply --work /tmp/recode --rules 1.1

``apply`` replaces both passes, the adjudicated label and its reason of every re-coded
passage, and keeps the label it had before in ``label_rules_<earlier>`` (empty for passages
the revision left alone), so the change of every label can be traced.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

from analysis.text.corpus import find_corpus, load_labelled_passages

ROOT = Path(__file__).resolve().parents[1]
LABELS_CSV = ROOT / "analysis" / "resources" / "validation" / "corpus_labels.csv"
RULES = ROOT / "docs" / "labelling.md"

#: Per revision of the rules: the rules it replaces and the points it settled, each with the
#: pattern of the passages it bears on (matched on the passage text as stored).
REVISIONS: dict[str, dict] = {
    "1.1": {
        "replaces": "1.0",
        "points": {
            "purpose or legal-basis clause": r"为了.{0,80}(?:制定本|根据)|根据.{0,60}制定本",
            "remit clause": (
                r"职责范围内|职责分工|负责本行政区域|主管部门负责"
                r"|负责.{0,20}(?:监督管理|管理工作|组织实施)"
            ),
            "liability or penalty clause": (
                r"违反本(?:条例|法|办法|规定)|法律责任|责令(?:限期)?改正|罚款"
                r"|给予.{0,6}处分|追究.{0,6}责任"
            ),
            "award or commendation": r"表彰|奖励|嘉奖",
            "regulation of products": r"药品|医疗器械|化妆品|特种设备",
            "integrity and work style": r"廉政|廉洁|腐败|作风建设|四风|形式主义|官僚主义",
            "public order": r"治安|刑事犯罪|违法犯罪|扫黑",
        },
    }
}
PASS_COLUMNS = ["label", "secondary", "reason"]


def rules_text() -> str:
    """The rules a coder reads: ``docs/labelling.md`` up to the history of the rounds."""
    text = RULES.read_text(encoding="utf-8")
    return text.split("\n## How the labels were made", 1)[0].rstrip() + "\n"


def touched(texts: pd.Series, revision: str) -> pd.Series:
    """The points of ``revision`` each passage bears on (``""`` for none), joined by ``; ``."""
    points = REVISIONS[revision]["points"]
    compiled = {name: re.compile(rx) for name, rx in points.items()}
    return texts.map(lambda t: "; ".join(n for n, rx in compiled.items() if rx.search(t)))


def make_pool(work: Path, revision: str, corpus: Path | None) -> None:
    p = load_labelled_passages(find_corpus(corpus))
    p["points"] = touched(p["text"], revision)
    pool = p[p["points"] != ""].sort_values("passage_id").reset_index(drop=True)
    work.mkdir(parents=True, exist_ok=True)
    pool[["passage_id", "doc_id", "start", "end", "split", "points", "text"]].to_csv(
        work / "pool.csv", index=False
    )
    half = (len(pool) + 1) // 2
    rules = rules_text()
    for coder in ("A", "B"):
        for k, part in enumerate((pool.iloc[:half], pool.iloc[half:]), start=1):
            folder = work / coder / f"half{k}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "rules.md").write_text(rules, encoding="utf-8")
            part[["passage_id", "text"]].to_csv(folder / "passages.csv", index=False)
    print(f"{len(pool)} passages touched by rules {revision} -> {work}")
    print(pool.groupby("split").size().to_string())


def read_pass(folder: Path) -> pd.DataFrame:
    files = sorted(folder.glob("out_*.csv"))
    if not files:
        raise SystemExit(f"{folder}: no out_*.csv")
    frame = pd.concat(
        [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True
    )
    dup = frame["passage_id"].duplicated(keep=False)
    if dup.any():
        dups = sorted(set(frame.loc[dup, "passage_id"]))[:5]
        raise SystemExit(f"{folder}: duplicate passage ids {dups}")
    return frame.set_index("passage_id")


def apply_recoding(work: Path, revision: str, labels_csv: Path) -> None:
    earlier_col = f"label_rules_{REVISIONS[revision]['replaces'].replace('.', '_')}"
    labels = pd.read_csv(labels_csv, dtype=str, keep_default_na=False)
    pool = pd.read_csv(work / "pool.csv", dtype=str, keep_default_na=False)
    a, b = read_pass(work / "A"), read_pass(work / "B")
    adj_path = work / "adjudicated.csv"
    adj = (
        pd.read_csv(adj_path, dtype=str, keep_default_na=False).set_index("passage_id")
        if adj_path.exists()
        else pd.DataFrame(columns=PASS_COLUMNS)
    )
    missing = (set(pool["passage_id"]) - set(a.index)) | (set(pool["passage_id"]) - set(b.index))
    if missing:
        raise SystemExit(f"passages without both passes: {sorted(missing)[:10]} ({len(missing)})")
    if earlier_col not in labels:
        labels[earlier_col] = ""
    index = {pid: i for i, pid in enumerate(labels["passage_id"])}
    changed = 0
    for pid in pool["passage_id"]:
        i = index[pid]
        ra, rb = a.loc[pid], b.loc[pid]
        if ra["label"] == rb["label"]:
            final, how = ra, "agreed"
            secondary = ra["secondary"] or rb["secondary"]
        elif pid in adj.index:
            final, how = adj.loc[pid], "adjudicated"
            secondary = final["secondary"]
        else:
            raise SystemExit(f"{pid}: passes differ and there is no adjudication")
        if not labels.at[i, earlier_col]:
            labels.at[i, earlier_col] = labels.at[i, "label"]
        changed += final["label"] != labels.at[i, earlier_col]
        labels.loc[i, ["label", "secondary", "reason", "adjudication"]] = [
            final["label"],
            "" if secondary == final["label"] else secondary,
            final["reason"],
            how,
        ]
        for suffix, row in (("a", ra), ("b", rb)):
            labels.loc[i, [f"{c}_{suffix}" for c in PASS_COLUMNS]] = [row[c] for c in PASS_COLUMNS]
    labels.to_csv(labels_csv, index=False)
    agreed = int((a.loc[pool["passage_id"], "label"] == b.loc[pool["passage_id"], "label"]).sum())
    print(
        f"{len(pool)} passages re-coded under rules {revision}: the passes agreed on {agreed}, "
        f"{changed} labels changed -> {labels_csv}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["pool", "apply"])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--rules", choices=sorted(REVISIONS), required=True)
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--labels", type=Path, default=LABELS_CSV)
    args = ap.parse_args()
    if args.step == "pool":
        make_pool(args.work, args.rules, args.corpus)
    else:
        apply_recoding(args.work, args.rules, args.labels)


if __name__ == "__main__":
    main()
