"""Texts on Dask: the same rows and values as the in-memory path, on a 2-process LocalCluster."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import analysis as an  # noqa: E402
from analysis.io import text_quarantine  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "data" / "raw" / "demo"


@pytest.fixture(scope="module")
def demo_docs() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return an.read_texts(DEMO / "texts", metadata=DEMO / "texts.csv")


def _same(lazy, expected: pd.DataFrame) -> None:
    got = lazy.compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True))


def test_scores_on_the_cluster_are_the_in_memory_scores(client, demo_docs):
    ddf = dd.from_pandas(demo_docs, npartitions=4)
    docs = ddf.compute()  # the same frame as Dask holds it (its string types)
    for unit in ("document", "sentence"):
        expected = an.score_texts(docs, group=["community", "year"], unit=unit)
        _same(an.score_texts(ddf, group=["community", "year"], unit=unit), expected)


def test_labels_on_the_cluster_are_the_in_memory_labels(client, demo_docs):
    ddf = dd.from_pandas(demo_docs[["doc_id", "community", "text"]], npartitions=3)
    docs = ddf.compute()
    expected = an.classify_texts(docs, by_passage=True, multi_label=True)
    expected.attrs.clear()
    _same(an.classify_texts(ddf, by_passage=True, multi_label=True), expected)


def test_models_reach_each_worker_once_not_once_per_task(client, demo_docs):
    ddf = dd.from_pandas(demo_docs, npartitions=8)
    graph = dict(an.score_texts(ddf).__dask_graph__())
    # the tallier (lexicon and segmenter) is one key that 8 partition tasks depend on
    shared = [k for k in graph if str(k[0] if isinstance(k, tuple) else k).startswith("Tallier")]
    assert len(shared) == 1


def test_evidence_on_a_sample(client, demo_docs):
    ddf = dd.from_pandas(demo_docs, npartitions=4)
    hits = an.explain(ddf, sample=5, group="community")
    expected = an.explain(ddf.compute().head(5).reset_index(drop=True), group="community")
    pd.testing.assert_frame_equal(hits, expected)


def test_scores_go_to_partitioned_parquet(client, demo_docs, tmp_path):
    ddf = dd.from_pandas(demo_docs, npartitions=3)
    an.score_texts(ddf, group="community").to_parquet(tmp_path / "scores")
    assert len(list((tmp_path / "scores").glob("*.parquet"))) == 3
    back = pd.read_parquet(tmp_path / "scores")
    assert len(back) == len(demo_docs) * 5


def test_reading_a_folder_in_partitions_gives_the_in_memory_documents(demo_docs, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lazy = an.read_texts(
            DEMO / "texts", metadata=DEMO / "texts.csv", partition_bytes=20_000, engine="dask"
        )
    assert lazy.npartitions > 3
    got = lazy.compute(scheduler="sync").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, demo_docs, check_dtype=False)


def test_quarantine_in_partitions_is_the_in_memory_quarantine(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    for i in range(6):
        (folder / f"d{i}.txt").write_text("社区开展一站式服务。" * (i + 1), encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    meta = ["file,community"] + [f"d{i}.txt,{'甲乙'[i % 2]}社区" for i in range(6)]
    meta += ["d1.txt,重复社区", "missing.txt,甲社区", "empty.txt,甲社区"]
    (tmp_path / "meta.csv").write_text("\n".join(meta) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = an.read_texts(folder, metadata=tmp_path / "meta.csv")
        lazy = an.read_texts(
            folder, metadata=tmp_path / "meta.csv", partition_bytes=100, engine="dask"
        )
    import dask

    got, quarantine = dask.compute(lazy, an.text_quarantine(lazy), scheduler="sync")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), docs, check_dtype=False)
    key = ["file", "row", "problem"]
    expected = text_quarantine(docs).sort_values(key).reset_index(drop=True)
    quarantine = quarantine.sort_values(key).reset_index(drop=True)
    for frame in (quarantine, expected):  # None and NaN alike mean "no row"
        frame["row"] = pd.to_numeric(frame["row"])
    pd.testing.assert_frame_equal(quarantine[key], expected[key], check_dtype=False)


def test_csv_and_parquet_partitions(tmp_path):
    for i in range(3):
        pd.DataFrame(
            {
                "text": [f"第{i}批：推进网格化管理，走访群众。", "发展党员，三会一课。"],
                "区": ["甲", "乙"],
            }
        ).to_csv(tmp_path / f"part{i}.csv", index=False, encoding="gbk")
    lazy = an.read_texts(str(tmp_path / "part*.csv"), engine="dask")
    got = lazy.compute(scheduler="sync")
    assert lazy.npartitions == 3
    assert got["doc_id"].tolist()[:2] == ["part0.csv:2", "part0.csv:3"]
    assert got["encoding"].iloc[0] == "gb18030"
    frame = got.assign(doc_id=[f"d{i}" for i in range(len(got))])[["doc_id", "text", "区"]]
    (tmp_path / "pq").mkdir()
    for i in range(2):
        frame.iloc[i * 3 : i * 3 + 3].to_parquet(tmp_path / "pq" / f"p{i}.parquet")
    back = (
        an.read_texts(tmp_path / "pq", engine="dask")
        .compute(scheduler="sync")
        .reset_index(drop=True)
    )
    assert back["doc_id"].tolist() == frame["doc_id"].tolist()
    assert back["text"].tolist() == frame["text"].tolist()
    assert back["区"].tolist() == frame["区"].tolist()


def test_the_in_memory_path_never_imports_dask():
    code = (
        "import sys, pandas as pd, analysis as an\n"
        "d = pd.DataFrame({'doc_id': ['a'], 'text': ['推行一站式服务']})\n"
        "an.score_texts(d); an.classify_texts(d)\n"
        "print(any(m == 'dask' or m.startswith('dask.') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _tables(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "tables").glob("*.csv"))}


def test_a_study_on_a_local_cluster_writes_the_in_memory_tables_and_reports(tmp_path):
    study = DEMO / "study.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        memory = an.run_study(study, output=tmp_path / "memory")
        cluster = an.run_study(study, output=tmp_path / "cluster", workers=2)
    assert set(memory.tables) == set(cluster.tables)
    for name, table in memory.tables.items():
        pd.testing.assert_frame_equal(
            cluster.tables[name].reset_index(drop=True), table.reset_index(drop=True), obj=name
        )
    assert _tables(tmp_path / "cluster") == _tables(tmp_path / "memory")
    assert (tmp_path / "cluster" / "report.html").read_bytes() == (
        tmp_path / "memory" / "report.html"
    ).read_bytes()
    assert len(memory.tables["text_hits"]) > 0


def test_the_study_file_chooses_the_cluster_and_is_checked(tmp_path):
    from analysis.core.errors import ConfigError

    text = (DEMO / "study.yaml").read_text(encoding="utf-8")
    for bad, problem in (
        ("dask: {workers: 0}", "dask.workers"),
        ("dask: {scheduler: localhost}", "dask.scheduler"),
        ("dask: {workers: 2, scheduler: 'tcp://h:8786'}", "not both"),
        ("dask: {threads: 2}", "dask.threads"),
    ):
        path = DEMO / f"_study_{tmp_path.name}.yaml"
        try:
            path.write_text(text + "\n" + bad + "\n", encoding="utf-8")
            with pytest.raises(ConfigError, match=problem.replace(".", r"\.")):
                an.load_study(path)
        finally:
            path.unlink()
    good = DEMO / f"_study_{tmp_path.name}.yaml"
    try:
        good.write_text(text + "\ndask: {workers: 2}\n", encoding="utf-8")
        assert an.load_study(good).dask_workers == 2
    finally:
        good.unlink()


def test_the_token_cache_works_on_the_workers(client, demo_docs, tmp_path):
    from analysis.text.segment import Segmenter

    cache = tmp_path / "tokens"
    segmenter = Segmenter.for_lexicon(an.default_lexicon(), cache_dir=cache)
    ddf = dd.from_pandas(demo_docs, npartitions=4)
    first = an.score_texts(ddf, segmenter=segmenter).compute()
    written = sorted(p.name for p in cache.rglob("*") if p.is_file())
    assert written, "the workers wrote no token cache"
    again = an.score_texts(ddf, segmenter=segmenter).compute()
    pd.testing.assert_frame_equal(again, first)
    assert sorted(p.name for p in cache.rglob("*") if p.is_file()) == written  # read, not rewritten


def test_a_word_97_file_is_quarantined_as_in_memory(tmp_path):
    (tmp_path / "a.txt").write_text("社区推行一站式服务。", encoding="utf-8")
    (tmp_path / "b.doc").write_bytes(b"\xd0\xcf\x11\xe0 not a docx")
    (tmp_path / "meta.csv").write_text("file,community\na.txt,桂花\nb.doc,梅园\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        memory = an.read_texts(tmp_path, metadata=tmp_path / "meta.csv")
        lazy = an.read_texts(tmp_path, metadata=tmp_path / "meta.csv", engine="dask")
    quarantine = an.text_quarantine(lazy).compute(scheduler="sync").reset_index(drop=True)
    pd.testing.assert_frame_equal(quarantine, text_quarantine(memory), check_dtype=False)
    assert quarantine["problem"].str.contains("save it as .docx").any()
    got = lazy.compute(scheduler="sync").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, memory, check_dtype=False)  # Dask's Arrow strings
