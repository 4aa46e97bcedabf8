"""The demo survey (data/raw/demo): reproducible, well-formed, planted rows where documented.

The generator lives in ``scripts/make_demo_survey.py`` (not a package), so it is loaded by
path. The planted 序号 values below are the documented contract (README.md beside the data);
other tests and notebooks may rely on them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from script_module import load_script

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
SURVEY = DEMO / "survey.xlsx"
CODEBOOK = DEMO / "codebook.yaml"
README = DEMO / "README.md"

META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
COMMUNITIES = {
    "桂花社区",
    "长青社区",
    "和平里社区",
    "新华社区",
    "滨江社区",
    "东湖社区",
    "枫林社区",
    "朝阳社区",
}
SATISFACTION = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
AGREEMENT = ["非常不同意", "不同意", "一般", "同意", "非常同意"]
MISSING = {"(跳过)", "(空)"}

# Documented planted rows (序号).
OFF_SCALE = (412, "15、", "很满意")
SPEEDER = 868
DUPLICATE_SOURCE, DUPLICATE = 959, 963
PARTIAL = (95, 333, 702, 1150, 1290)
PHONE = (57, 488, 913, 1206)
ID_NUMBER = (260, 1333)

PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_RE = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")


gen = load_script("make_demo_survey")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sheet() -> pd.DataFrame:
    # keep_default_na=False: 来源详情 holds the literal text "N/A", which pandas would
    # otherwise turn into NaN.
    df = pd.read_excel(SURVEY, sheet_name="Sheet1", dtype=str, keep_default_na=False)
    return df.set_index(df["序号"].astype(int), drop=False)


@pytest.fixture(scope="module")
def codebook() -> dict:
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def items(codebook: dict) -> list[dict]:
    return codebook["items"]


def _column(sheet: pd.DataFrame, prefix: str) -> str:
    return next(c for c in sheet.columns if c.startswith(prefix))


def _options(item: dict) -> list[str]:
    return AGREEMENT if item.get("scale") == "agree" else SATISFACTION


def test_committed_files_match_a_fresh_regeneration(tmp_path: Path) -> None:
    fresh = gen.generate(tmp_path)
    for name, path in fresh.items():
        assert _sha256(path) == _sha256(DEMO / name), (
            f"{name} differs from a regeneration: run `python scripts/make_demo_survey.py` "
            "and commit the result (or check the zlib version if nothing changed)"
        )


def test_check_flag_reports_mismatch(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    gen.generate(tmp_path)
    assert gen.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "codebook.yaml").write_text("changed\n", encoding="utf-8")
    assert gen.main(["--check", "--out", str(tmp_path)]) == 1
    assert "codebook.yaml" in capsys.readouterr().out


def test_workbook_layout() -> None:
    wb = openpyxl.load_workbook(SURVEY, read_only=True)
    try:
        assert wb.sheetnames == ["Sheet1"]
    finally:
        wb.close()


def test_rows_columns_and_communities(sheet: pd.DataFrame) -> None:
    assert len(sheet) >= 1200
    assert list(sheet.columns[:6]) == META
    assert sheet["序号"].astype(int).tolist() == list(range(1, len(sheet) + 1))
    assert set(sheet[_column(sheet, "1、")]) == COMMUNITIES
    assert sheet["提交答卷时间"].str.fullmatch(r"2024/\d{1,2}/\d{1,2} \d{1,2}:\d\d:\d\d").all()
    assert sheet["所用时间"].str.fullmatch(r"\d+秒").all()
    assert set(sheet["来源"]) == {"微信", "手机提交", "链接"}
    assert set(sheet["来源详情"]) <= {"N/A", "直接访问"}
    assert sheet["来自IP"].str.fullmatch(r"\d+\.\d+\.\d+\.\d+\([^()]+-[^()]+\)").all()
    times = pd.to_datetime(sheet["提交答卷时间"], format="%Y/%m/%d %H:%M:%S")
    assert times.is_monotonic_increasing


def test_codebook_matches_sheet(sheet: pd.DataFrame, codebook: dict, items: list[dict]) -> None:
    columns = set(sheet.columns)
    assert codebook["id_column"] in columns
    assert codebook["group_column"] in columns
    assert codebook["duration_column"] in columns
    for entry in codebook["covariates"] + codebook["text_columns"]:
        assert entry["column"] in columns
    assert 17 <= len(items) <= 20
    for item in items:
        assert item["column"] in columns
        assert item["id"] == "q" + item["column"].split("、")[0]
    by_dim = pd.DataFrame(items).groupby("dimension")
    assert set(by_dim.groups) == set(gen.DIMENSIONS)
    assert by_dim.size().between(3, 4).all()
    assert by_dim["reverse"].apply(lambda r: (r == True).any()).all()  # noqa: E712
    for item in items:
        assert (item.get("scale") == "agree") == bool(item.get("reverse"))


def test_answers_are_options_except_the_planted_one(sheet: pd.DataFrame, items: list[dict]) -> None:
    bad = [
        (serial, item["column"], value)
        for item in items
        for serial, value in sheet[item["column"]].items()
        if value not in set(_options(item)) | MISSING
    ]
    serial, prefix, value = OFF_SCALE
    assert len(bad) == 1
    assert bad[0][0] == serial
    assert bad[0][1].startswith(prefix)
    assert bad[0][2] == value


def test_missing_codes_are_rare_and_scattered(sheet: pd.DataFrame, items: list[dict]) -> None:
    clean = sheet.drop(index=list(PARTIAL))
    for item in items:
        rate = clean[item["column"]].isin(MISSING).mean()
        assert 0.01 <= rate <= 0.045, (item["id"], rate)
    assert (sheet[[i["column"] for i in items]] == "(跳过)").any().all()


def test_duplicate_submission(sheet: pd.DataFrame) -> None:
    answers = [c for c in sheet.columns if c not in {"序号", "提交答卷时间", "所用时间"}]
    src, dup = sheet.loc[DUPLICATE_SOURCE], sheet.loc[DUPLICATE]
    assert src[answers].tolist() == dup[answers].tolist()
    delay = pd.Timestamp(dup["提交答卷时间"].replace("/", "-")) - pd.Timestamp(
        src["提交答卷时间"].replace("/", "-")
    )
    assert pd.Timedelta(minutes=1) < delay < pd.Timedelta(minutes=10)
    duplicated = sheet.duplicated(subset=answers, keep=False)
    assert set(sheet.index[duplicated]) == {DUPLICATE_SOURCE, DUPLICATE}


def test_speeder_and_durations(sheet: pd.DataFrame, items: list[dict]) -> None:
    seconds = sheet["所用时间"].str.removesuffix("秒").astype(int)
    assert seconds.loc[SPEEDER] == 20
    assert (seconds.drop(index=SPEEDER) >= 120).all()
    assert 200 <= seconds.median() <= 300
    for item in items:
        assert sheet.loc[SPEEDER, item["column"]] == _options(item)[3]


def test_partial_responders(sheet: pd.DataFrame, items: list[dict]) -> None:
    late = [i["column"] for i in items if int(i["id"][1:]) >= 18]
    early = [i["column"] for i in items if int(i["id"][1:]) < 18]
    for serial in PARTIAL:
        assert (sheet.loc[serial, late] == "(空)").all()
        assert (~sheet.loc[serial, early].isin(MISSING)).sum() >= len(early) // 2
    fully_blank = (sheet[late] == "(空)").all(axis=1)
    assert set(sheet.index[fully_blank]) == set(PARTIAL)


def test_personal_numbers_in_open_answers(sheet: pd.DataFrame, codebook: dict) -> None:
    text = sheet[codebook["text_columns"][0]["column"]]
    has_phone = text.str.contains(PHONE_RE)
    has_id = text.str.contains(ID_RE)
    assert set(sheet.index[has_phone]) == set(PHONE)
    assert set(sheet.index[has_id]) == set(ID_NUMBER)
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for value in text[has_id]:
        number = ID_RE.search(value).group()
        total = sum(int(c) * w for c, w in zip(number[:17], weights, strict=True))
        check = "10X98765432"[total % 11]
        assert number[-1] == check
    answered = text[text != "(空)"]
    assert 0.25 <= len(answered) / len(text) <= 0.6
    assert answered.nunique() >= 150


def test_generator_constants_match_documentation() -> None:
    assert (gen.OFF_SCALE_ID, f"{gen.OFF_SCALE_ITEM}、", gen.OFF_SCALE_VALUE) == OFF_SCALE
    assert gen.SPEEDER_ID == SPEEDER
    assert (gen.DUPLICATE_SOURCE_ID, gen.DUPLICATE_ID) == (DUPLICATE_SOURCE, DUPLICATE)
    assert tuple(gen.PARTIAL_IDS) == PARTIAL
    assert tuple(gen.PHONE_IDS) == PHONE
    assert tuple(gen.ID_NUMBER_IDS) == ID_NUMBER
    readme = README.read_text(encoding="utf-8")
    for serial in (
        OFF_SCALE[0],
        SPEEDER,
        DUPLICATE_SOURCE,
        DUPLICATE,
        *PARTIAL,
        *PHONE,
        *ID_NUMBER,
    ):
        assert re.search(rf"(?<!\d){serial}(?!\d)", readme), f"README does not name 序号 {serial}"


def _dimension_scores(sheet: pd.DataFrame, items: list[dict]) -> pd.DataFrame:
    scores = {}
    for dim in gen.DIMENSIONS:
        cols = []
        for item in (i for i in items if i["dimension"] == dim):
            codes = {label: k for k, label in enumerate(_options(item), start=1)}
            values = sheet[item["column"]].map(codes).astype(float).to_numpy()
            cols.append(6 - values if item.get("reverse") else values)
        scores[dim] = np.column_stack(cols)
    return scores


def _alpha(x: np.ndarray) -> float:
    x = x[np.isfinite(x).all(axis=1)]
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def test_reliability_is_realistic(sheet: pd.DataFrame, items: list[dict]) -> None:
    for dim, x in _dimension_scores(sheet, items).items():
        assert 0.70 <= _alpha(x) <= 0.88, dim


def test_planted_effects_are_visible(sheet: pd.DataFrame, items: list[dict]) -> None:
    clean = sheet.drop(index=[SPEEDER, DUPLICATE])
    group = clean[_column(clean, "1、")].to_numpy()
    party = clean[_column(clean, "4、")].to_numpy()
    scores = _dimension_scores(clean, items)

    def standardised_gap(dim: str, mask: np.ndarray) -> float:
        s = pd.DataFrame(scores[dim]).mean(axis=1).to_numpy()  # NaN when nothing answered
        return (np.nanmean(s[mask]) - np.nanmean(s[~mask])) / np.nanstd(s)

    assert standardised_gap("livelihood", group == "滨江社区") > 0.25
    assert standardised_gap("reform", group == "东湖社区") < -0.3
    assert 0.05 < standardised_gap("members", party == "中共党员") < 0.35
    for dim in ("reform", "livelihood"):
        gaps = {c: standardised_gap(dim, group == c) for c in COMMUNITIES}
        largest = max(gaps, key=lambda c: abs(gaps[c]))
        assert largest == {"reform": "东湖社区", "livelihood": "滨江社区"}[dim]
