"""Benchmark: ``analysis run`` on a city-scale study against its irreducible work.

The demo study (``data/raw/demo``) is grown to a city: its survey rows repeated 74 times
with new ids (about 100,000 respondents, written as a UTF-8 CSV export) and its 28
documents 20 times with new ids (560 documents), in the same 8 communities. The copies'
answers are identical, so the study screens speeders only (the duplicate screen would
exclude every copy).

The baseline is the work no run can avoid: ``pandas.read_csv`` of the export plus
``jieba.lcut`` of every text (the documents and the residents' open answers), timed in
the same run. Each side runs in a fresh process, the two interleaved, so both pay the
same imports and the same load from other work on the machine; peak memory is the
largest resident set of the run's process and of any worker it started.

The run's stages (survey, texts, open answers, statistics, privacy masking, figures,
tables, reports, manifest, the rest)
are timed by wrapping the pipeline's step functions, so the next slow stage is visible.

``--distinct`` builds the variant in which no two documents are identical (each copy ends
with its own closing line) and each copy's open answers carry their own suffix.

``--versus DIR`` runs another checkout's code too (``DIR`` on ``PYTHONPATH``), in the same
rounds: baseline, the other checkout, this one, so both meet the same load.

Run: python benchmarks/bench_city.py [--jobs 1] [--rounds 1] [--quick] [--distinct]
     [--folder DIR] [--versus DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "raw" / "demo"
RESULTS = Path(__file__).parent / "results"


def build_city(
    folder: Path, *, survey_copies: int = 74, text_copies: int = 20, distinct: bool = False
) -> Path:
    """Write the city-scale study into ``folder``; return its study file.

    With ``distinct``, no two documents and few open answers are identical: copy ``k`` of
    a document ends with its own closing line and copy ``k`` of a resident's open answer
    carries its own suffix (the copies still share their other passages).
    """
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    raw = pd.read_excel(DEMO / "survey.xlsx", dtype=str)
    copies = []
    for k in range(survey_copies):
        part = raw.copy()
        part["序号"] = [str(k * len(raw) + i + 1) for i in range(len(raw))]
        if distinct:
            column = next(c for c in part.columns if c.startswith("26、"))
            answer = part[column].fillna("")
            keep = (answer.str.strip() != "") & (answer != "(跳过)")
            part.loc[keep, column] = answer[keep] + f"（第{k}批）"
        copies.append(part)
    pd.concat(copies, ignore_index=True).to_csv(folder / "survey.csv", index=False)
    shutil.copy(DEMO / "codebook.yaml", folder / "codebook.yaml")
    texts = folder / "texts"
    texts.mkdir(exist_ok=True)
    meta = pd.read_csv(DEMO / "texts.csv", dtype=str)
    rows = []
    for k in range(text_copies):
        for r in meta.itertuples(index=False):
            stem, suffix = os.path.splitext(r.file)
            name = f"{stem}-c{k:02d}{suffix}"
            shutil.copy(DEMO / "texts" / r.file, texts / name)
            if distinct:
                _add_closing_line(texts / name, f"本材料为第{k}号归档副本。")
            rows.append({**r._asdict(), "doc_id": f"{r.doc_id}-c{k:02d}", "file": name})
    pd.DataFrame(rows).to_csv(folder / "texts.csv", index=False)
    study = (DEMO / "study.yaml").read_text(encoding="utf-8")
    study = study.replace("survey.xlsx", "survey.csv")
    study = study.replace("exclude: [speeder, duplicate]", "exclude: [speeder]")
    study = study.replace("output: ../../processed/demo", "output: output")
    (folder / "study.yaml").write_text(study, encoding="utf-8")
    return folder / "study.yaml"


def _add_closing_line(path: Path, line: str) -> None:
    """Append ``line`` to a copied document, in its own encoding or as a paragraph."""
    if path.suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        document.add_paragraph(line)
        document.save(str(path))
        return
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        out = text.rstrip("\n") + "\n" + line + "\n"
        path.write_bytes(out.encode(encoding.replace("-sig", "")))
        return


def _peak_mb() -> tuple[float, float]:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, child


def baseline(study_file: Path) -> dict:
    """``pandas.read_csv`` of the export and ``jieba.lcut`` of every text."""
    import jieba
    import pandas as pd

    import analysis as an

    folder = study_file.parent
    docs = an.read_texts(folder / "texts", metadata=folder / "texts.csv")
    texts = list(docs["text"])
    t0, c0 = time.perf_counter(), time.process_time()
    frame = pd.read_csv(folder / "survey.csv", dtype=str)
    read, read_cpu = time.perf_counter() - t0, time.process_time() - c0
    column = next(c for c in frame.columns if c.startswith("26、"))
    texts += [str(x) for x in frame[column].dropna() if str(x).strip() and str(x) != "(跳过)"]
    jieba.setLogLevel(60)
    jieba.initialize()
    t0, c0 = time.perf_counter(), time.process_time()
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    n_tokens = sum(len(tokenizer.lcut(x)) for x in texts)
    cut, cut_cpu = time.perf_counter() - t0, time.process_time() - c0
    own, child = _peak_mb()
    return {
        "read_csv_s": read,
        "lcut_s": cut,
        "total_s": read + cut,
        "cpu_s": read_cpu + cut_cpu,
        "texts": len(texts),
        "tokens": n_tokens,
        "rows": len(frame),
        "peak_mb": max(own, child),
    }


def ours(study_file: Path, jobs: int) -> dict:
    """``run_study`` with its steps timed."""
    import analysis.study.figures as figures
    import analysis.study.pipeline as pipeline
    import analysis.study.reporting as reporting

    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(name, fn):  # type: ignore[no-untyped-def]
        def wrapper(*a, **k):  # type: ignore[no-untyped-def]
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **k)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - t0
                cpu[name] = cpu.get(name, 0.0) + time.process_time() - c0

        return wrapper

    pipeline.run_survey = timed("survey", pipeline.run_survey)
    pipeline.run_texts = timed("texts", pipeline.run_texts)
    pipeline.run_open_answers = timed("open_answers", pipeline.run_open_answers)
    pipeline.run_comparisons = timed("statistics", pipeline.run_comparisons)
    pipeline.mask_outputs = timed("privacy", pipeline.mask_outputs)
    pipeline.write_tables = timed("tables", pipeline.write_tables)
    pipeline.build_manifest = timed("manifest", pipeline.build_manifest)
    figures.draw_figures = timed("figures", figures.draw_figures)
    reporting.build_reports = timed("reports", reporting.build_reports)
    from analysis.study.pipeline import run_study

    out = study_file.parent / "output"
    shutil.rmtree(out, ignore_errors=True)
    t0, c0 = time.perf_counter(), time.process_time()
    res = run_study(study_file, jobs=jobs)
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    stages["other"] = total - sum(stages.values())
    cpu["other"] = total_cpu - sum(cpu.values())
    own, child = _peak_mb()
    return {
        "total_s": total,
        "cpu_s": total_cpu,  # this process only: workers' CPU is not counted
        "stages_s": stages,
        "stages_cpu_s": cpu,
        "files": len(res.files),
        "respondents": res.manifest["counts"].get("survey_respondents"),
        "documents": res.manifest["counts"].get("documents"),
        "peak_mb_main": own,
        "peak_mb_worker": child,
    }


def _child(kind: str, study_file: Path, jobs: int, root: Path = ROOT) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--study", str(study_file)]
    cmd += ["--jobs", str(jobs)]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _print_versus(rounds: list[dict], versus: Path) -> None:
    """Medians over the rounds, CPU seconds per stage: the other checkout against this one."""
    from statistics import median

    def med(values: list[float]) -> str:
        return f"{median(values):6.2f}"

    def span(values: list[float]) -> str:
        return f"{median(values):.2f}x ({min(values):.2f}-{max(values):.2f})"

    print(f"\nmedians of {len(rounds)} rounds, CPU s: {versus} | this checkout")
    for name in rounds[0]["ours"]["stages_cpu_s"]:
        a = [r["versus"]["stages_cpu_s"].get(name, 0.0) for r in rounds]
        b = [r["ours"]["stages_cpu_s"].get(name, 0.0) for r in rounds]
        print(f"{'  ' + name:<28}{med(a)} | {med(b)}")
    print(
        f"{'run total':<28}{med([r['versus']['cpu_s'] for r in rounds])} | "
        f"{med([r['ours']['cpu_s'] for r in rounds])}"
    )
    print(f"{'baseline':<28}{med([r['baseline']['cpu_s'] for r in rounds])}")
    print(
        f"{'ratio, CPU':<28}{span([r['versus_ratio_cpu'] for r in rounds])} | "
        f"{span([r['ratio_cpu'] for r in rounds])}"
    )
    print(
        f"{'ratio, wall':<28}{span([r['versus_ratio'] for r in rounds])} | "
        f"{span([r['ratio'] for r in rounds])}"
    )
    peak = [max(r["versus"]["peak_mb_main"], r["versus"]["peak_mb_worker"]) for r in rounds]
    ours = [max(r["ours"]["peak_mb_main"], r["ours"]["peak_mb_worker"]) for r in rounds]
    print(f"{'peak RSS, MB':<28}{max(peak):6.0f} | {max(ours):6.0f}")
    print("load averages after each round: " + ", ".join(f"{r['load'][0]:.2f}" for r in rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="survey x8, texts x4")
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="no two documents identical; each copy's open answers carry their own suffix",
    )
    parser.add_argument("--folder", type=Path, default=None, help="keep the study here")
    parser.add_argument(
        "--versus",
        type=Path,
        default=None,
        help="another checkout (e.g. main's worktree): each round also runs its code, "
        "interleaved (baseline, the other checkout, this one), and medians are compared",
    )
    parser.add_argument("--child", choices=("baseline", "ours"), help=argparse.SUPPRESS)
    parser.add_argument("--study", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import warnings

        warnings.simplefilter("ignore")
        fn = baseline if args.child == "baseline" else ours
        result = fn(args.study) if args.child == "baseline" else fn(args.study, args.jobs)
        print(json.dumps(result))
        return

    import tempfile

    tmp = None
    if args.folder is None:
        tmp = tempfile.TemporaryDirectory()
        folder = Path(tmp.name) / "city"
    else:
        folder = args.folder
    copies = (8, 4) if args.quick else (74, 20)
    if not (folder / "study.yaml").exists():
        build_city(folder, survey_copies=copies[0], text_copies=copies[1], distinct=args.distinct)
    study_file = folder / "study.yaml"
    rounds = []
    for _ in range(args.rounds):
        base = _child("baseline", study_file, args.jobs)
        other = None
        if args.versus is not None:
            other = _child("ours", study_file, args.jobs, root=args.versus.resolve())
        run = _child("ours", study_file, args.jobs)
        rounds.append(
            {
                "baseline": base,
                "ours": run,
                "ratio": run["total_s"] / base["total_s"],
                "ratio_cpu": run["cpu_s"] / base["cpu_s"],
                "load": os.getloadavg(),
            }
        )
        if other is not None:
            rounds[-1]["versus"] = other
            rounds[-1]["versus_ratio_cpu"] = other["cpu_s"] / base["cpu_s"]
            rounds[-1]["versus_ratio"] = other["total_s"] / base["total_s"]
    best = min(rounds, key=lambda r: r["ratio"])
    base, run = best["baseline"], best["ours"]
    print(
        f"city study: {run['respondents']:,} respondents, {run['documents']} documents, "
        f"{base['texts']:,} texts cut ({base['tokens']:,} tokens), jobs={args.jobs}"
    )
    print(f"{'baseline: read_csv':<28}{base['read_csv_s']:>8.2f} s")
    print(f"{'baseline: jieba.lcut':<28}{base['lcut_s']:>8.2f} s")
    print(
        f"{'baseline total':<28}{base['total_s']:>8.2f} s   CPU {base['cpu_s']:.2f} s"
        f"   peak {base['peak_mb']:.0f} MB"
    )
    for name, sec in run["stages_s"].items():
        print(
            f"{'  run: ' + name:<28}{sec:>8.2f} s  {100 * sec / run['total_s']:5.1f}%"
            f"   CPU {run['stages_cpu_s'][name]:6.2f} s"
        )
    print(
        f"{'analysis run total':<28}{run['total_s']:>8.2f} s   CPU {run['cpu_s']:.2f} s"
        f"   peak {run['peak_mb_main']:.0f} MB (largest child {run['peak_mb_worker']:.0f} MB)"
    )
    print(
        f"{'ratio run / irreducible':<28}{best['ratio']:>8.2f} x wall, "
        f"{best['ratio_cpu']:.2f} x CPU   (target 3x)"
    )
    if len(rounds) > 1:
        print(
            "all rounds, wall (CPU): "
            + ", ".join(f"{r['ratio']:.2f} ({r['ratio_cpu']:.2f})" for r in rounds)
        )
    if args.versus is not None:
        _print_versus(rounds, args.versus)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_city.json").write_text(json.dumps(rounds, indent=2), encoding="utf-8")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
