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
