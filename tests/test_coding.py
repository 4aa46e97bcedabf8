"""Checking the labels on a study's own documents: sample, coding sheets, agreement, accuracy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from sklearn.metrics import f1_score

import analysis as an
from analysis.core.errors import InputError
from analysis.text.coding import SHEET_COLUMNS, _draw, _equal_allocation

CODES = ["reform", "development", "livelihood", "masses", "members", "none"]


@pytest.fixture(scope="module")
def demo_docs(demo_dir):
    return an.read_texts(demo_dir / "texts")


@pytest.fixture(scope="module")
def sample(demo_docs):
    return an.coding_sample(demo_docs, n=40, per_doc=4, seed=3, method="lexicon")


def _fill(sheet, out, labels, *, reasons=None):
    """A coder's work: labels (and reasons) written into the sheet's columns."""
    wb = load_workbook(sheet)
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    for r, label in enumerate(labels, start=2):
        ws.cell(r, header.index("label") + 1).value = label
        if reasons is not None:
            ws.cell(r, header.index("reason") + 1).value = reasons[r - 2]
    wb.save(out)
    return out


def test_equal_shares_pass_on_what_a_small_stratum_cannot_give() -> None:
    sizes = pd.Series({"a": 2, "b": 50, "c": 50})
    assert _equal_allocation(30, sizes) == {"a": 2, "b": 14, "c": 14}
    assert _equal_allocation(7, sizes) == {"a": 2, "b": 3, "c": 2}
    assert _equal_allocation(102, sizes) == {"a": 2, "b": 50, "c": 50}


def test_the_sample_is_stratified_capped_weighted_and_reproducible(demo_docs, sample) -> None:
    info = sample.attrs["coding_sample"]
    assert len(sample) == info["drawn"] == 40
    assert sample["passage_id"].tolist() == [f"c{k:04d}" for k in range(1, 41)]
    # every passage is its document's text at its offsets
    texts = dict(zip(demo_docs["doc_id"], demo_docs["text"], strict=True))
    for row in sample.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.text
    assert sample.groupby("doc_id").size().max() <= 4
    # equal shares where the strata allow, and weights that add up to every passage
    drawn = sample["stratum"].value_counts()
    full = {s: v["passages"] for s, v in info["strata"].items()}
    assert all(drawn[s] == full[s] for s in drawn.index if drawn[s] < drawn.max() - 1)
    assert sample["weight"].sum() == pytest.approx(info["population"])
    assert (sample["stratum"] == sample["predicted"]).all()
    again = an.coding_sample(demo_docs, n=40, per_doc=4, seed=3, method="lexicon")
    pd.testing.assert_frame_equal(sample, again)
    other = an.coding_sample(demo_docs, n=40, per_doc=4, seed=4, method="lexicon")
    assert other["text"].tolist() != sample["text"].tolist()


def test_a_simple_sample_weighs_every_passage_alike(demo_docs) -> None:
    simple = an.coding_sample(demo_docs, n=25, stratify=False, seed=0, method="lexicon")
    population = simple.attrs["coding_sample"]["population"]
    assert set(simple["stratum"]) == {"all"}
    assert np.allclose(simple["weight"], population / 25)
    everything = an.coding_sample(demo_docs, n=10_000, method="lexicon")
    assert len(everything) == population


def test_a_bad_request_is_refused_with_the_reason(demo_docs) -> None:
    with pytest.raises(InputError, match="n must be a positive whole number"):
        an.coding_sample(demo_docs, n=0)
    with pytest.raises(InputError, match="per_doc must be at least 1"):
        an.coding_sample(demo_docs, per_doc=0)
    with pytest.raises(InputError, match="no passage of at least 30 characters"):
        an.coding_sample(["短句。"], n=5)


def test_the_sheet_is_blind_safe_and_reproducible(tmp_path, sample) -> None:
    risky = sample.head(3).copy()
    risky.loc[0, "text"] = '=HYPERLINK("http://x","点击")社区服务'
    risky.loc[1, "text"] = "居民反映楼道堵塞，联系电话13912345678，请尽快处理。"
    a = an.write_coding_sheet(risky, tmp_path / "a.xlsx")
    b = an.write_coding_sheet(risky, tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    wb = load_workbook(a)
    ws = wb["coding"]
    assert [c.value for c in ws[1]] == list(SHEET_COLUMNS)
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert ws.cell(2, 3).value.startswith("'=")
    assert ws.cell(3, 3).value == "居民反映楼道堵塞，联系电话139****5678，请尽快处理。"
    plain = load_workbook(an.write_coding_sheet(risky, tmp_path / "plain.xlsx", mask=False))
    assert "13912345678" in plain["coding"].cell(3, 3).value
    # nothing of the classifier's output reaches the coder
    for hidden in ("predicted", "probability", "stratum", "weight"):
        assert hidden not in cells
    assert str(risky.loc[1, "predicted"]) not in [ws.cell(r, 4).value for r in (2, 3, 4)]
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert lists == {"D2:D4": '"' + ",".join(CODES) + '"', "E2:E4": '"' + ",".join(CODES) + '"'}
    labels = pd.DataFrame(wb["labels"].values)
    assert labels.iloc[1:, 0].tolist() == CODES
    assert "服务党员" in labels.iloc[1:, 1].tolist()


def test_codes_and_labels_are_read_and_bad_cells_named(tmp_path, sample) -> None:
    sheet = an.write_coding_sheet(sample.head(6), tmp_path / "sheet.xlsx")
    written = ["reform", "服务民生", "无", "Service reform", " MASSES ", "members"]
    coded = an.read_coding_sheet(_fill(sheet, tmp_path / "coded.xlsx", written))
    assert coded["label"].tolist() == [
        "reform",
        "livelihood",
        "none",
        "reform",
        "masses",
        "members",
    ]
    assert coded["passage_id"].tolist() == sample["passage_id"].head(6).tolist()
    bad = _fill(sheet, tmp_path / "bad.xlsx", ["reform", "welfare", "", *written[3:]])
    with pytest.raises(InputError) as err:
        an.read_coding_sheet(bad)
    e = err.value
    assert (e.file, e.row, e.column, e.value) == ("bad.xlsx", 3, "label", "welfare")
    assert "bad.xlsx" in str(e)
    assert "'welfare'" in str(e)
    assert "reform, development" in str(e)
    # every problem is named with its place, under a headline that counts them
    assert str(e).splitlines()[0] == "2 coding sheet problems in bad.xlsx:"
    assert "bad.xlsx, sheet 'coding', row 3, column 'label': got 'welfare'" in str(e)
    assert "bad.xlsx, sheet 'coding', row 4, column 'label': got ''; not coded" in str(e)
    assert e.problems[["row", "column", "value"]].values.tolist() == [
        [3, "label", "welfare"],
        [4, "label", ""],
    ]


def test_a_csv_sheet_in_gbk_and_a_repeated_passage(tmp_path) -> None:
    frame = pd.DataFrame(
        {
            "passage_id": ["c1", "c2", "c2"],
            "doc_id": ["d", "d", "d"],
            "text": ["甲", "乙", "丙"],
            "label": ["服务群众", "none", "reform"],
            "secondary": ["服务民生", "", ""],
            "reason": ["走访", "程序", "一窗受理"],
        }
    )
    path = tmp_path / "coded.csv"
    frame.iloc[:2].to_csv(path, index=False, encoding="gbk")
    coded = an.read_coding_sheet(path)
    assert coded["label"].tolist() == ["masses", "none"]
    assert coded["secondary"].tolist() == ["livelihood", ""]
    frame.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(InputError, match="listed twice") as err:
        an.read_coding_sheet(path)
    assert (err.value.row, err.value.column) == (4, "passage_id")


def test_agreement_against_hand_computed_kappa_and_alpha() -> None:
    ids = [f"c{k}" for k in range(5)]
    a = pd.DataFrame({"passage_id": ids, "label": ["reform", "reform", "none", "none", "masses"]})
    b = pd.DataFrame({"passage_id": ids, "label": ["reform", "none", "none", "none", "masses"]})
    agree = an.compare_codings(a, b)
    # p_o = 0.8, p_e = .4*.2 + .4*.6 + .2*.2 = 0.36: kappa = 0.44 / 0.64
    assert agree.kappa == pytest.approx(0.6875)
    # coincidences: off-diagonal 2 of n = 10 values (n_reform 3, n_none 5, n_masses 2):
    # alpha = 1 - 9 * 2 / (2 * (3*5 + 3*2 + 5*2)) = 1 - 18/62
    assert agree.alpha == pytest.approx(1 - 18 / 62)
    assert agree.agreement == pytest.approx(0.8)
    assert agree.disagreements["passage_id"].tolist() == ["c1"]
    with pytest.raises(InputError, match="1 disagreements have no adjudicated label"):
        agree.final()
    final = agree.final(pd.DataFrame({"passage_id": ["c1"], "label": ["none"]}))
    assert final["label"].tolist() == ["reform", "none", "none", "none", "masses"]
    assert final["adjudication"].tolist().count("adjudicated") == 1
    with pytest.raises(InputError, match="not of the same passages"):
        an.compare_codings(a, b.iloc[1:])


def test_weighted_figures_equal_the_figures_of_passages_repeated_by_weight() -> None:
    rng = np.random.default_rng(7)
    n = 120
    truth = rng.choice(CODES, n)
    pred = np.where(rng.random(n) < 0.7, truth, rng.choice(CODES, n))
    weight = rng.integers(1, 4, n)
    key = pd.DataFrame(
        {
            "passage_id": [f"c{k}" for k in range(n)],
            "doc_id": [f"d{k % 15}" for k in range(n)],
            "predicted": pred,
            "weight": weight.astype(float),
        }
    )
    codings = pd.DataFrame({"passage_id": key["passage_id"], "label": truth})
    check = an.check_codings(key, codings, n_boot=200)
    assert check.macro_f1 == pytest.approx(f1_score(truth, pred, labels=CODES, average="macro"))
    repeated_t, repeated_p = np.repeat(truth, weight), np.repeat(pred, weight)
    assert check.weighted_macro_f1 == pytest.approx(
        f1_score(repeated_t, repeated_p, labels=CODES, average="macro")
    )
    assert check.weighted_accuracy == pytest.approx(np.mean(repeated_t == repeated_p))
    assert check.weighted_report.loc["macro", "f1"] == pytest.approx(check.weighted_macro_f1)
    assert check.ci95[0] < check.macro_f1 < check.ci95[1]
    assert check.confusion.to_numpy().sum() == n
    shares = check.shares
    for label in CODES:
        assert shares.loc[label, "estimated"] == pytest.approx(np.mean(repeated_t == label))
        assert shares.loc[label, "classifier"] == pytest.approx(np.mean(repeated_p == label))
    assert (shares["ci95_low"] <= shares["estimated"]).all()
    assert (shares["estimated"] <= shares["ci95_high"]).all()
    assert shares["estimated"].sum() == pytest.approx(1.0)
    assert check.summary().loc["sample", "passages"] == n


def test_a_round_trip_through_files(tmp_path, sample) -> None:
    key = tmp_path / "key.csv"
    sample.to_csv(key, index=False)
    sheet = an.write_coding_sheet(sample, tmp_path / "sheet.xlsx")
    labels = sample["predicted"].tolist()
    labels[0] = "none" if labels[0] != "none" else "reform"
    a = _fill(sheet, tmp_path / "a.xlsx", labels)
    b = _fill(sheet, tmp_path / "b.xlsx", sample["predicted"].tolist())
    agree = an.compare_codings(a, b)
    assert agree.n == len(sample)
    assert len(agree.disagreements) == 1
    final = agree.final(agree.disagreements.rename(columns={"label_b": "label"}))
    check = an.check_codings(key, final, n_boot=200)
    assert check.accuracy == 1.0
    assert check.n == len(sample)
    stray = pd.DataFrame({"passage_id": ["c9999"], "label": ["none"]})
    with pytest.raises(InputError, match="not in the sample"):
        an.check_codings(key, stray)
    broken = pd.read_csv(key, dtype=str)
    broken.loc[2, "weight"] = "many"
    broken.to_csv(key, index=False)
    with pytest.raises(InputError) as err:
        an.check_codings(key, final)
    assert (err.value.row, err.value.column, err.value.value) == (4, "weight", "many")


def test_the_command_line_runs_a_coding_round(tmp_path, demo_dir, capsys) -> None:
    from analysis.study.cli import main

    out = tmp_path / "round"
    assert main(["coding", "sample", str(demo_dir / "texts"), "-o", str(out), "--n", "24"]) == 0
    assert "drew 24 of" in capsys.readouterr().out
    key = pd.read_csv(out / "coding-key.csv")
    labels = key["predicted"].tolist()
    other = "reform" if labels[0] == "none" else "none"
    _fill(out / "coder-1.xlsx", out / "coder-1.xlsx", labels)
    _fill(out / "coder-2.xlsx", out / "coder-2.xlsx", [other, *labels[1:]])
    sheets = [str(out / "coding-key.csv"), str(out / "coder-1.xlsx"), str(out / "coder-2.xlsx")]
    assert main(["coding", "check", *sheets]) == 0
    said = capsys.readouterr().out
    assert "24 passages: agreement 0.958" in said
    assert "--adjudicated" in said
    assert "macro-F1" not in said  # nothing is scored before the disagreement is decided
    _fill(out / "adjudication.xlsx", out / "adjudication.xlsx", [labels[0]])
    result = tmp_path / "check.xlsx"
    args = ["--adjudicated", str(out / "adjudication.xlsx"), "-o", str(result)]
    assert main(["coding", "check", *sheets, *args]) == 0
    said = capsys.readouterr().out
    assert "sample: macro-F1 1.000" in said
    assert "accuracy 1.000, 24 passages" in said
    assert "shares" in load_workbook(result).sheetnames
    assert main(["coding", "check", sheets[0], sheets[1], sheets[1], sheets[2]]) == 1
    assert "one or two coders' sheets" in capsys.readouterr().err


def test_the_weighted_coded_share_corrects_the_classifier_over_repeated_samples() -> None:
    """Stratified draws of a known population: the weighted share of the coded labels is
    unbiased for the true share, where the classifier's own share is not."""
    rng = np.random.default_rng(11)
    n_pop = 3000
    truth = rng.choice(CODES, n_pop, p=[0.15, 0.15, 0.2, 0.15, 0.05, 0.3])
    pred = np.where(rng.random(n_pop) < 0.75, truth, rng.choice(CODES, n_pop))
    population = pd.DataFrame(
        {"doc_id": [f"d{k % 200}" for k in range(n_pop)], "stratum": pred, "truth": truth}
    )
    sizes = population["stratum"].value_counts()
    estimates = []
    for seed in range(200):
        rows = _draw(population, 180, None, np.random.default_rng(seed))
        drawn = population.iloc[rows]
        taken = drawn["stratum"].value_counts()
        weight = drawn["stratum"].map(sizes / taken)
        estimates.append(weight[drawn["truth"] == "members"].sum() / weight.sum())
        assert weight.sum() == pytest.approx(n_pop)
    true_share, classifier_share = np.mean(truth == "members"), np.mean(pred == "members")
    assert abs(classifier_share - true_share) > 0.02
    assert np.mean(estimates) == pytest.approx(true_share, abs=0.004)
