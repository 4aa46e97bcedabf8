"""Codebooks: loading, collected validation problems with lines, custom frameworks, drafting."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.core.errors import CodebookError
from analysis.survey.codebook import Codebook
from analysis.survey.codebook_file import load_codebook
from analysis.survey.drafting import _ladder_label, draft_codebook, validate_codebook

DEMO = Path(__file__).parents[1] / "data" / "raw" / "demo"
LIKERT = "{min: 1, max: 5, labels: {非常不满意: 1, 不满意: 2, 一般: 3, 满意: 4, 非常满意: 5}}"


def write(tmp_path: Path, text: str, name: str = "codebook.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_codebook_from_yaml(tmp_path):
    path = write(
        tmp_path,
        f"""\
id_column: 序号
group_column: 社区
scale: {LIKERT}
scales:
  agree: {{min: 1, max: 5, labels: {{不同意: 2, 同意: 4}}}}
missing: {{skipped: ["(跳过)"], no_answer: ["(空)"]}}
min_answered: 0.75
covariates: [{{column: 性别, id: gender}}]
text_columns: [{{column: 建议, id: suggestions}}]
items:
  - {{column: a, id: q1, dimension: members}}
  - {{column: b, id: q2, dimension: reform, reverse: true, scale: agree}}
  - {{column: c, id: q3, dimension: reform}}
""",
    )
    cb = load_codebook(path)
    assert isinstance(cb, Codebook)
    assert cb.dimensions == ("reform", "members")
    assert [it.id for it in cb.items_for("reform")] == ["q2", "q3"]
    assert cb.items[1].reverse
    assert cb.items[1].scale == "agree"
    assert cb.items[2].line == 13
    assert cb.min_answered == 0.75
    assert cb.missing == {"skipped": ("(跳过)",), "no_answer": ("(空)",)}
    assert cb.covariates[0].id == "gender"
    assert cb.text_columns[0].id == "suggestions"
    assert cb.path == str(path)
    assert load_codebook(cb) is cb


def test_every_problem_is_collected_and_raised_once_with_lines(tmp_path):
    path = write(
        tmp_path,
        f"""\
scale: {LIKERT}
min_answered: 2
items:
  - {{column: a, id: q1, dimension: reform}}
  - {{column: b, id: q2, dimension: service}}
  - {{column: a, id: q3, dimension: members}}
  - {{column: c, id: q1, dimension: reform}}
  - {{column: d, id: q4, dimension: reform, scale: agree}}
  - {{column: e, id: q5, dimension: reform, reverse: yes please}}
""",
    )
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    msg = str(info.value)
    assert msg.splitlines()[0] == "6 codebook problems in codebook.yaml:"
    assert "codebook.yaml, line 2: got 2; min_answered must be a share" in msg
    assert "line 5: got 'service'; unknown dimension; expected one of reform," in msg
    assert (
        "line 6: got 'a'; item in two dimensions (reform and members); first listed at "
        "line 4" in msg
    )
    assert "line 7: got 'q1'; duplicate item id; first used at line 4" in msg
    assert "line 8: got 'agree'; unknown scale; expected one of default" in msg
    assert "line 9: got 'yes please'; reverse must be true or false" in msg
    assert len(info.value.problems) == 6
    assert set(info.value.problems.columns) >= {"file", "line", "value", "problem"}


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "scale: {min: 1\nitems:\n  - [unclosed\n")
    with pytest.raises(CodebookError, match=r"codebook\.yaml, line 1: '\{' is not closed"):
        load_codebook(path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("- just\n- a list\n", r"expected a mapping with 'items', got list"),
        (f"scale: {LIKERT}\n", r"line 1; items must be a non-empty list"),
        (
            "items:\n  - {column: a, id: q1, dimension: reform}\n",
            r"line 2: got 'default'; unknown scale; expected one of none declared",
        ),
        (
            f"scale: {LIKERT}\nitems:\n  - {{column: a, id: 'q 1', dimension: reform}}\n",
            r"line 3: got 'q 1'; item id must be ASCII",
        ),
        (
            f"scale: {LIKERT}\nitems:\n  - {{column: a, id: row, dimension: reform}}\n",
            r"got 'row'; id 'row' is reserved",
        ),
        (
            "scale: {min: 5, max: 1}\nitems:\n  - {column: a, id: q1, dimension: reform}\n",
            r"line 1: got '5\.0\.\.1\.0'; scale 'default': min must be below max",
        ),
    ],
    ids=["not-mapping", "no-items", "no-scale", "bad-id", "reserved-id", "min-above-max"],
)
def test_malformed_codebooks(tmp_path, text, match):
    with pytest.raises(CodebookError, match=match):
        load_codebook(write(tmp_path, text))


def test_missing_codebook_file(tmp_path):
    with pytest.raises(CodebookError, match="codebook not found"):
        load_codebook(tmp_path / "nope.yaml")


def test_a_study_declares_its_own_dimensions():
    cb = load_codebook(
        {
            "framework": "trust",
            "dimensions": [
                {"id": "trust", "label_zh": "信任", "label_en": "Trust"},
                {"id": "voice", "label_zh": "表达", "label_en": "Voice"},
            ],
            "scale": {"min": 1, "max": 5},
            "items": [
                {"column": "x", "id": "x", "dimension": "voice"},
                {"column": "y", "id": "y", "dimension": "trust"},
            ],
        }
    )
    assert cb.framework.name == "trust"
    assert cb.dimensions == ("trust", "voice")
    assert cb.framework.label("voice") == "表达"
    with pytest.raises(
        CodebookError, match="got 'reform'; unknown dimension; expected one of trust"
    ):
        load_codebook(
            {
                "dimensions": [{"id": "trust"}],
                "scale": {"min": 1, "max": 5},
                "items": [{"column": "x", "id": "x", "dimension": "reform"}],
            }
        )


@pytest.mark.parametrize(
    ("missing", "skipped", "no_answer"),
    [
        (["(跳过)", "(空)", 99], ("(跳过)",), ("(空)", "99")),
        ({"skipped": "-3", "no_answer": [-2, "(空)"]}, ("-3",), ("-2", "(空)")),
        (None, (), ()),
    ],
    ids=["flat-list", "mapping", "none"],
)
def test_missing_codes(missing, skipped, no_answer):
    cb = load_codebook(
        {
            "scale": {"min": 1, "max": 5},
            "missing": missing,
            "items": [{"column": "a", "id": "a", "dimension": "reform"}],
        }
    )
    assert cb.missing["skipped"] == skipped
    assert cb.missing["no_answer"] == no_answer


def test_validate_codebook_lists_uncovered_answers_and_unknown_columns(tmp_path):
    data = write(
        tmp_path, "序号,a,b\n1,满意,一般\n2,很满意,满意\n3,很满意,(空)\n4,满意,好\n", name="s.csv"
    )
    cb = write(
        tmp_path,
        f"""\
id_column: 序号
scale: {LIKERT}
missing: ["(空)"]
items:
  - {{column: a, id: q1, dimension: reform}}
  - {{column: b, id: q2, dimension: reform}}
  - {{column: c, id: q3, dimension: reform}}
""",
    )
    with pytest.raises(CodebookError) as info:
        validate_codebook(cb, data)
    probs = info.value.problems
    assert len(probs) == 3
    assert "line 7" in str(info.value)
    assert "item column not found in s.csv" in str(info.value)
    covered = probs[probs["value"].notna()].sort_values("line")
    assert covered["value"].tolist() == ["很满意", "好"]
    assert covered["export_row"].tolist() == [3, 5]
    assert covered["line"].tolist() == [5, 6]
    assert "(2 rows in s.csv, first at row 3)" in covered["problem"].iloc[0]
    assert "codebook.yaml, line 5, column 'a': got '很满意'; answer not covered" in str(info.value)


@pytest.mark.parametrize(
    ("answer", "label"),
    [
        ("非常同意", "非常同意"),
        ("同意", "同意"),
        ("非常同意（5分）", "非常同意"),
        ("非常不同意", "非常不同意"),
        ("不同意", "不同意"),
        ("随便", None),
    ],
)
def test_longest_label_is_matched_first(answer, label):
    labels = ("非常不同意", "不同意", "一般", "同意", "非常同意")
    assert _ladder_label(answer, labels) == label


def test_draft_codebook_detects_ladders_and_reverse_candidates(tmp_path):
    rows = [
        "序号,提交答卷时间,所用时间,1、您所居住的社区：,2、您的性别：,3、您对服务的满意程度,"
        "4、办事需要反复跑腿,5、社区活动很丰富,6、建议",
        "1,2024/5/6,100秒,桂花社区,男,满意,非常同意,同意,多办活动",
        "2,2024/5/6,100秒,梅园社区,女,非常满意,不同意,非常不同意,无",
        "3,2024/5/6,100秒,桂花社区,男,(跳过),一般,非常同意,路灯坏了",
    ] + [f"{i},2024/5/6,100秒,竹林社区,女,一般,同意,一般,意见{i}" for i in range(4, 30)]
    path = write(tmp_path, "\n".join(rows) + "\n", name="export.csv")
    text = draft_codebook(path)
    assert "platform: wjx-text" in text
    data = yaml.safe_load(text)
    assert data["id_column"] == "序号"
    assert data["group_column"] == "1、您所居住的社区："
    assert data["duration_column"] == "所用时间"
    assert list(data["scale"]["labels"]) == ["非常不满意", "不满意", "一般", "满意", "非常满意"]
    assert list(data["scales"]["agree"]["labels"])[-1] == "非常同意"
    items = {it["id"]: it for it in data["items"]}
    assert set(items) == {"q3", "q4", "q5"}
    assert items["q4"]["reverse"] is True
    assert items["q4"]["scale"] == "agree"
    assert "reverse" not in items["q5"]
    assert "REVIEW: reverse-worded?" in text
    assert [c["column"] for c in data["covariates"]] == ["2、您的性别："]
    assert [c["column"] for c in data["text_columns"]] == ["6、建议"]
    with pytest.raises(CodebookError, match="unknown dimension"):
        load_codebook(data)
    for it in data["items"]:
        it["dimension"] = "masses"
    assert load_codebook(data).dimensions == ("masses",)


@pytest.mark.skipif(not (DEMO / "codebook.yaml").exists(), reason="demo study not present")
def test_demo_codebook_loads_and_fits_its_export():
    cb = load_codebook(DEMO / "codebook.yaml")
    assert cb.dimensions == ("reform", "development", "livelihood", "masses", "members")
    assert any(it.reverse for it in cb.items)
    draft = yaml.safe_load(draft_codebook(DEMO / "survey.xlsx"))
    assert {it["column"] for it in draft["items"]} == {it.column for it in cb.items}
    assert {it["column"] for it in draft["items"] if it.get("reverse")} == {
        it.column for it in cb.items if it.reverse
    }


def test_draft_codebook_of_a_numbered_export(tmp_path):
    rows = [
        "序号,提交答卷时间,所用时间,1、您所居住的社区：,2、您的性别：,3、服务满意度,4、办事方便"
    ]
    rows += [
        f"{i},2024/5/6,100秒,{i % 3 + 1},{i % 2 + 1},{i % 5 + 1},{(i * 2) % 5 + 1}"
        for i in range(1, 30)
    ]
    text = draft_codebook(write(tmp_path, "\n".join(rows) + "\n", name="codes.csv"))
    assert "platform: wjx-code" in text
    data = yaml.safe_load(text)
    assert data["group_column"] == "1、您所居住的社区："
    assert data["scale"] == {"min": 1, "max": 5}
    assert [it["id"] for it in data["items"]] == ["q3", "q4"]
    assert [c["column"] for c in data["covariates"]] == ["2、您的性别："]


def test_covariate_ids_may_not_repeat_item_ids(tmp_path):
    path = write(
        tmp_path,
        f"""\
scale: {LIKERT}
covariates:
  - {{column: 性别, id: q1}}
  - {{column: 年龄, id: ip}}
items:
  - {{column: a, id: q1, dimension: reform}}
""",
    )
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    msg = str(info.value)
    assert "line 3: got 'q1'; id already used at line 6" in msg
    assert "line 4: got 'ip'; id 'ip' is reserved" in msg


def test_misspelt_keys_are_reported(tmp_path):
    path = write(
        tmp_path,
        f"""\
scale: {LIKERT}
covariate: [{{column: 性别, id: gender}}]
items:
  - {{column: a, id: q1, dimension: reform}}
""",
    )
    with pytest.raises(
        CodebookError,
        match=r"line 2: got 'covariate'; unknown codebook key; "
        r"did you mean 'covariates'\?",
    ):
        load_codebook(path)


def test_python_tags_in_a_codebook_are_refused(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text('id_column: id\nitems: !!python/object/apply:os.system ["true"]\n', "utf-8")
    with pytest.raises(CodebookError, match=r"codebook\.yaml, line 2: not valid YAML"):
        load_codebook(path)


_KEYS = [
    *("framework", "dimensions", "id_column", "group_column", "scale", "scales", "missing"),
    *("min_answered", "items", "covariates", "text_columns", "duration_column"),
    *("weight_column", "column", "id", "dimension", "reverse", "labels", "min", "max"),
    *("skipped", "no_answer", "label_zh", "label_en"),
]
_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.sampled_from(["reform", "masses", "service-five", "q1"]),
)
_VALUE = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_KEYS), _VALUE, max_size=8))
def test_any_codebook_mapping_loads_or_gives_a_codebook_error(spec):
    # fuzzed mappings once raised TypeError from inside framework loading; a warning about
    # the content is fine, anything but a CodebookError is a bug
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_codebook(spec)
    except CodebookError:
        pass


@pytest.mark.parametrize("key", ["Yes", "no", "ON", "off", "true", "~"], ids=str)
def test_a_label_yaml_reads_as_a_boolean_is_refused_with_its_line(tmp_path, key):
    """YAML 1.1 reads Yes/No/On/Off as booleans: every 'Yes' answer would be quarantined
    as not one of 'True', 'False'."""
    path = write(
        tmp_path,
        f"scale: {{min: 1, max: 5,\n  labels: {{{key}: 5, 'No': 1}}}}\n"
        "items:\n  - {column: a, id: q1, dimension: reform}\n",
    )
    with pytest.raises(CodebookError, match=r"line 2\W.*put the option text in quotes"):
        load_codebook(path)
    quoted = path.read_text(encoding="utf-8").replace(f"{key}: 5", f"'{key}': 5")
    path.write_text(quoted, encoding="utf-8")
    assert load_codebook(path).scales["default"].labels[key] == 5
