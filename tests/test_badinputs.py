"""The bad-input corpus: every broken file in tests/badinputs/ read or refused cleanly.

The corpus and its index (``cases.json``) are written by ``scripts/make_badinputs.py``.
Each case goes through the public API (read_survey with load_codebook, load_codebook,
read_texts then score_texts, load_lexicon, run_study and the ``analysis`` command) and
fails on:

- an exception that is not one of ours (the innermost frame of its traceback is named:
  inside a dependency such as pandas, openpyxl, yaml or docx, or inside ``analysis``);
- a refusal of the wrong class, or whose message does not name the file, row, column and
  value the case lists;
- a row or document not accounted for: read + quarantined must equal what is in the file;
- personal data planted in the inputs surviving in anything a run writes or prints;
- a written file outside the output folder, with an unsafe name, a spreadsheet formula or
  raw HTML from a community name;
- a warning from a dependency reaching the user;
- a case taking more than 10 seconds.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import shutil
import signal
import sys
import time
import traceback
import unicodedata
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from output_text import all_output_text

import analysis as an
from analysis.core.errors import AnalysisError, AnalysisWarning

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "badinputs"
CASES = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))["cases"]
# A guard against hangs (a bad input must end in a result or an error), not a speed
# target: speed is measured in benchmarks/.
LIMIT_S = 60
PACKAGE = Path(an.__file__).resolve().parent
_WINDOWS_DEVICES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"{p}{i}" for p in ("COM", "LPT") for i in range(10)),
}


def _maker():
    """scripts/make_badinputs.py as a module (writes the cases marked at_test_time)."""
    if "make_badinputs" not in sys.modules:
        path = ROOT / "scripts" / "make_badinputs.py"
        spec = importlib.util.spec_from_file_location("make_badinputs", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["make_badinputs"] = module
        spec.loader.exec_module(module)
    return sys.modules["make_badinputs"]


class _Timeout(BaseException):
    """Raised by the alarm: a BaseException, so no ``except Exception`` can swallow it."""


@contextlib.contextmanager
def _time_limit(seconds: int):
    if not hasattr(signal, "SIGALRM"):  # Windows: the elapsed time is still checked after
        yield
        return

    def _alarm(signum, frame):
        raise _Timeout(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _plain(text: str) -> str:
    """Letters and digits only, full-width digits folded: how a leak is looked for."""
    folded = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return "".join(c for c in folded if c.isalnum()).lower()


def _innermost(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "no traceback"
    last = frames[-1]
    inside = Path(last.filename).resolve().is_relative_to(PACKAGE)
    where = "inside analysis" if inside else "inside a dependency"
    return f"{where}: {last.filename}:{last.lineno} in {last.name}"


def _materialise(case: dict[str, Any], tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    if case["at_test_time"]:
        _maker().write_case(case["id"], folder)
    else:
        shutil.copytree(CORPUS / case["id"], folder)
    return folder


# --------------------------------------------------------------------------- running a case


def _run(case: dict[str, Any], folder: Path) -> Any:
    kind, inputs = case["kind"], case["inputs"]
    if kind == "survey":
        codebook = an.load_codebook(folder / inputs["codebook"])
        return an.read_survey(
            folder / inputs["survey"], codebook=codebook, **inputs.get("options", {})
        )
    if kind == "codebook":
        return an.load_codebook(folder / inputs["codebook"])
    if kind == "lexicon":
        return an.load_lexicon(folder / inputs["lexicon"])
    if kind == "texts":
        metadata = folder / inputs["metadata"] if inputs.get("metadata") else None
        docs = an.read_texts(folder / inputs["texts"], metadata=metadata)
        return docs, an.score_texts(docs)
    if kind == "study":
        return an.run_study(folder / inputs["study"])
    raise AssertionError(f"unknown kind {kind!r}")


def _check_survey(case: dict[str, Any], survey: Any, expect: dict[str, Any]) -> None:
    q = survey.quarantine
    got = {
        "rows": survey.source["n_rows"],
        "scored": len(survey.responses),
        "quarantined": q["row"].nunique(),
    }
    assert got == {k: expect[k] for k in got}, f"rows: expected {expect}, got {got}\n{q}"
    assert set(survey.responses["row"]).isdisjoint(set(q["row"])), "a row both kept and quarantined"
    for want in expect.get("quarantine", []):
        hit = q[(q["row"] == want["row"]) & (q["column"] == want["column"])]
        assert len(hit), f"expected quarantined cell {want}, quarantine is\n{q}"
        assert str(hit["value"].iloc[0]) == want["value"]
    _check_masked(case, [survey.quarantine, survey.responses])


def _check_masked(case: dict[str, Any], frames: list[pd.DataFrame]) -> None:
    """What would be written of these frames (after masking) holds none of the secrets."""
    from analysis.report.privacy import mask_frame

    text = _plain("\n".join(mask_frame(f)[0].astype(str).to_csv() for f in frames))
    for secret in case["secrets"]:
        assert _plain(secret) not in text, f"{secret!r} survives masking"


def _check_texts(case: dict[str, Any], result: Any, folder: Path, expect: dict[str, Any]) -> None:
    docs, scores = result
    q = an.text_quarantine(docs)
    got = {"documents": len(docs), "quarantined": len(q)}
    assert got == {k: expect[k] for k in got}, f"expected {expect}, got {got}\n{q}"
    target = folder / case["inputs"]["texts"]
    if target.is_dir():
        on_disk = sum(1 for p in target.iterdir() if p.is_file())
        assert on_disk == expect["files"], (
            f"{on_disk} files in the folder, {expect['files']} listed"
        )
        if not case["inputs"].get("metadata"):
            accounted = len(docs) + q["file"].nunique()
            assert accounted == on_disk, f"{on_disk} files, {accounted} read or quarantined\n{q}"
    n_dims = scores["dimension"].nunique()
    assert len(scores) == len(docs) * n_dims, "not one score row per document and dimension"
    _check_masked(case, [docs, q])


def _check_study(case: dict[str, Any], result: Any, folder: Path, before: set[Path]) -> None:
    expect, counts = case["expect"], result.manifest["counts"]
    got = {
        "rows": counts["survey_rows"],
        "scored": counts["survey_respondents"] + counts["survey_excluded"],
        "quarantined": counts["survey_quarantined"],
        "documents": counts["documents"],
        "documents_quarantined": counts["documents_quarantined"],
    }
    assert got == {k: expect[k] for k in got}, f"expected {expect}, got {got}"
    out = result.output.resolve()
    written = {p for p in folder.parent.rglob("*") if p.is_file()} - before
    outside = [p for p in written if not p.resolve().is_relative_to(out)]
    assert not outside, f"written outside the output folder: {outside}"
    text = all_output_text(out)
    plain = _plain(text)
    for secret in case["secrets"]:
        assert _plain(secret) not in plain, f"{secret!r} found in the outputs"
    checks = case["inputs"].get("checks", {})
    if checks.get("names"):
        for p in written:
            _check_name(p.name)
        for html in out.rglob("*.html"):
            assert "<script>alert(1)" not in html.read_text(encoding="utf-8"), html.name
    if checks.get("formulas"):
        _check_no_formulas(out)


def _check_name(name: str) -> None:
    assert len(name.encode("utf-8")) <= 255, f"file name over 255 bytes: {name!r}"
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cf") or c in '<>:"|?*\\']
    assert not bad, f"unsafe characters {bad!r} in file name {name!r}"
    assert name.split(".")[0].strip().upper() not in _WINDOWS_DEVICES, f"device name {name!r}"


def _check_no_formulas(out: Path) -> None:
    import openpyxl

    for path in out.rglob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for value in frame.to_numpy().ravel():
            assert not str(value).startswith(("=", "+", "@", "\t", "\r")), (path.name, value)
    for path in out.rglob("*.xlsx"):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for cells in ws.iter_rows():
                for c in cells:
                    assert c.data_type != "f", (path.name, ws.title, c.coordinate, c.value)


def _check_refused(case: dict[str, Any], exc: AnalysisError, folder: Path) -> None:
    expect = case["expect"]
    wanted = getattr(an, expect["error"])
    assert isinstance(exc, wanted), f"expected {expect['error']}, got {type(exc).__name__}: {exc}"
    message = str(exc)
    missing = [part for part in expect["contains"] if part not in message]
    assert not missing, f"the message does not name {missing}: {message}"
    if case["kind"] == "study":  # what the command prints is masked
        from analysis.study.cli import main

        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = main(["run", str(folder / case["inputs"]["study"])])
        printed = stdout.getvalue() + stderr.getvalue()
        assert status == 1, printed
        assert "error:" in printed or "错误：" in printed  # the study's language
        for secret in case["secrets"]:
            assert _plain(secret) not in _plain(printed), f"{secret!r} printed by the command"


# --------------------------------------------------------------------------- the test


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """One good study run first: loading fonts, dictionaries and models is no case's cost."""
    folder = _materialise(
        next(c for c in CASES if c["id"] == "pii-study-1"), tmp_path_factory.mktemp("warm")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        an.run_study(folder / "study.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_is_read_or_refused_cleanly(case, tmp_path, warm):
    folder = _materialise(case, tmp_path)
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    expect = case["expect"]
    start = time.monotonic()
    result: Any = None
    error: AnalysisError | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with _time_limit(LIMIT_S):
                result = _run(case, folder)
        except AnalysisError as exc:
            error = exc
        except _Timeout:
            pytest.fail(f"{case['id']}: over {LIMIT_S} s")
        except Exception as exc:
            detail = "".join(traceback.format_exception(exc))
            pytest.fail(f"{case['id']}: {type(exc).__name__} {_innermost(exc)}\n{detail}")
    elapsed = time.monotonic() - start
    assert elapsed < LIMIT_S, f"{case['id']} took {elapsed:.1f} s"
    foreign = [w for w in caught if not issubclass(w.category, AnalysisWarning)]
    assert not foreign, [f"{w.category.__name__}: {w.message} ({w.filename})" for w in foreign]

    if expect["outcome"] == "refused":
        assert error is not None, f"expected {expect['error']}, but the input was read"
        _check_refused(case, error, folder)
        return
    assert error is None, f"expected the input to be read, got {type(error).__name__}: {error}"
    if case["kind"] == "survey":
        _check_survey(case, result, expect)
    elif case["kind"] == "texts":
        _check_texts(case, result, folder, expect)
    elif case["kind"] == "study":
        _check_study(case, result, folder, before)
    elif case["kind"] == "codebook":
        assert len(result.items) == expect["items"]


def test_the_corpus_is_as_the_script_writes_it():
    """cases.json matches scripts/make_badinputs.py, and there are enough cases."""
    maker = _maker()
    assert json.loads(json.dumps(maker.index(), ensure_ascii=False)) == CASES
    assert len(CASES) >= 100
    for c in CASES:
        assert c["at_test_time"] or (CORPUS / c["id"]).is_dir(), c["id"]
