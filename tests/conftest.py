"""Shared fixtures: paths to the demo study and one run of it per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo"
SHARED_R = ROOT.parent / "shared" / "datasets" / "r"


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The demo study folder (read-only)."""
    return DEMO


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory):
    """The demo study run once into a temporary folder (shared by the end-to-end tests)."""
    import analysis as an

    out = tmp_path_factory.mktemp("demo-run")
    return an.run_study(DEMO / "study.yaml", output=out)


def _xls_fixture_module():
    """scripts/make_xls_fixture.py as a module (its table and the .xlsx writer)."""
    from script_module import load_script

    return load_script("make_xls_fixture")


@pytest.fixture(scope="session")
def xls_fixture():
    """The module that wrote tests/data/survey/wjx_text.xls (``HEADER``, ``ROWS``, ...)."""
    return _xls_fixture_module()


@pytest.fixture(scope="session")
def xls_export() -> Path:
    """The committed legacy Excel 97-2003 (BIFF8) 问卷星-style export (read-only)."""
    return ROOT / "tests" / "data" / "survey" / "wjx_text.xls"


@pytest.fixture(scope="session")
def xlsx_twin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same sheets as :func:`xls_export`, written as .xlsx with openpyxl."""
    out = tmp_path_factory.mktemp("xlsx-twin") / "wjx_text.xlsx"
    return _xls_fixture_module().write_xlsx(out)


@pytest.fixture(scope="module")
def client():
    """A Dask LocalCluster of 2 worker processes (one thread each) and its client, per module.

    The dashboard takes any free port, so clusters of two test runs on one machine coexist.
    """
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c
