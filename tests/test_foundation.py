"""Errors, dimensions, YAML line tracking, manifests and table writers."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis as an
from analysis.core.errors import InputError, check_option, location
from analysis.core.provenance import file_sha256, package_versions
from analysis.core.yamlio import load_yaml_with_lines
from analysis.report.tables import write_tables


def test_location_reads_like_a_user_would_look():
    assert location("/a/b/survey.xlsx", sheet="Sheet1", row=17, column="7、满意度") == (
        "survey.xlsx, sheet 'Sheet1', row 17, column '7、满意度'"
    )


def test_problems_are_collected_then_raised_once():
    err = InputError.from_problems(
        [
            {
                "line": 3,
                "column": "items[0].dimension",
                "value": "x",
                "problem": "unknown dimension",
            },
            {"line": 9, "column": "items[4].column", "value": "y", "problem": "not in the export"},
        ],
        file="codebook.yaml",
        what="codebook problems",
    )
    text = str(err)
    assert text.splitlines()[0] == "2 codebook problems in codebook.yaml:"
    assert "line 3" in text
    assert "line 9" in text
    assert {"file", "row", "column", "value", "problem"} <= set(err.problems.columns)
    assert len(err.problems) == 2
    # the first problem's place, for programs
    assert (err.column, err.value) == ("items[0].dimension", "x")


def test_single_problem_is_one_line():
    err = InputError.from_problems(
        [{"line": 3, "column": "method", "value": "t", "problem": "expected one of 'auto'"}],
        file="study.yaml",
    )
    assert str(err) == "study.yaml, line 3, column 'method': got 't'; expected one of 'auto'"


def test_check_option_message_follows_sklearn():
    with pytest.raises(
        an.ConfigError,
        match=r"The 'method' parameter of compare_groups must be one "
        r"of 'auto', 'anova'\. Got 'ttest' instead\.",
    ):
        check_option("method", "ttest", ["auto", "anova"], owner="compare_groups")


def test_error_tree():
    assert issubclass(an.CodebookError, an.InputError)
    assert issubclass(an.InputError, ValueError)
    assert issubclass(an.InputError, an.AnalysisError)
    assert issubclass(an.SmallSampleWarning, an.AnalysisWarning)


def test_service_five_framework():
    fw = an.SERVICE_FIVE
    assert fw.ids == ("reform", "development", "livelihood", "masses", "members")
    assert fw.label("members") == "服务党员"
    assert fw.label("members", "en") == "Serving party members"
    assert fw.order(["members", "zzz", "reform"]) == ["reform", "members", "zzz"]


def test_a_study_can_bring_its_own_dimensions():
    fw = an.load_framework(
        [
            {"id": "trust", "label_zh": "信任", "label_en": "Trust"},
            {"id": "voice", "label_zh": "表达"},
        ],
        name="civic",
    )
    assert fw.ids == ("trust", "voice")
    assert fw.label("voice", "en") == "voice"
    with pytest.raises(an.ConfigError, match="snake_case"):
        an.load_framework([{"id": "Bad Id"}])
    with pytest.raises(an.ConfigError, match="twice"):
        an.load_framework([{"id": "a"}, {"id": "a"}])
    with pytest.raises(an.ConfigError, match="unknown framework"):
        an.load_framework("service-six")


def test_yaml_line_numbers(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        "title: 示例\ncompare:\n  method: auto\nitems:\n  - {id: q1}\n  - {id: q2}\n",
        encoding="utf-8",
    )
    data, lines = load_yaml_with_lines(path)
    assert data["title"] == "示例"
    assert lines["compare.method"] == 3
    assert lines["items[1]"] == 6
    assert lines["items[1].id"] == 6


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\nb: [1, 2\nc: 3\n", encoding="utf-8")
    with pytest.raises(an.InputError, match=r"bad\.yaml, line 2: '\[' is not closed"):
        load_yaml_with_lines(path)


LAUGHS = "lol: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"l{i}: &{b} [{', '.join([f'*{a}'] * 9)}]\n"
    for i, (a, b) in enumerate(zip("abcdefgh", "bcdefghi", strict=True))
)

# hostile YAML, the same for every kind of file: (name, text, line named, expected message)
HOSTILE_YAML = [
    ("billion-laughs", LAUGHS, r"\d+", r"the \w+ expands to more than 100,000 values"),
    ("deep-nesting", "a: " + "[" * 5000 + "]" * 5000 + "\n", None, r"the \w+ is nested too deeply"),
    ("duplicate-key", "a: 1\nb: 2\na: 3\n", "3", r"the key 'a' appears twice"),
    ("self-reference", "a: &x [1, *x]\n", "1", r"the \w+ refers to itself through an alias"),
]


@pytest.mark.parametrize(
    ("text", "line", "message"), [c[1:] for c in HOSTILE_YAML], ids=[c[0] for c in HOSTILE_YAML]
)
def test_hostile_yaml_is_refused_with_its_line(tmp_path, text, line, message):
    from analysis.core.errors import CodebookError, LexiconError
    from analysis.survey.codebook_file import load_codebook
    from analysis.text.lexicon_file import load_lexicon

    for name, load, error in (
        ("study.yaml", load_yaml_with_lines, InputError),
        ("codebook.yaml", load_codebook, CodebookError),
        ("lexicon.yaml", load_lexicon, LexiconError),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        where = "" if line is None else f", line {line}"
        with pytest.raises(error, match=rf"^{name.replace('.', '[.]')}{where}: {message}"):
            load(path)


def test_aliases_that_share_a_value_still_work(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        "scale: &s {min: 1, max: 5}\nitems:\n  - {id: a, scale: *s}\n  - {id: b, scale: *s}\n",
        encoding="utf-8",
    )
    data, lines = load_yaml_with_lines(path)
    assert data["items"][1]["scale"] == {"min": 1, "max": 5}
    assert lines["items[1].scale"] == 4


def test_sha256_matches_hashlib(tmp_path):
    import hashlib

    path = tmp_path / "f.bin"
    data = bytes(range(256)) * 5000
    path.write_bytes(data)
    assert file_sha256(path, chunk=1000) == hashlib.sha256(data).hexdigest()


def test_package_versions_include_python_and_pandas():
    v = package_versions()
    assert v["pandas"] == pd.__version__
    assert "python" in v


def test_tables_are_written_as_csv_and_parquet(tmp_path):
    frame = pd.DataFrame({"group": ["=1+1", "桂花社区"], "value": [1, "x"], "score": [-0.5, 2.0]})
    written = write_tables({"t": frame}, tmp_path)
    assert sorted(p.rsplit("/", 1)[1] for p in written) == ["t.csv", "t.parquet"]
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese correctly
    back = pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig")
    assert back["group"].tolist() == ["'=1+1", "桂花社区"]
    assert back["score"].tolist() == [-0.5, 2.0]
    assert pd.read_parquet(tmp_path / "t.parquet")["value"].tolist() == ["1", "x"]


def test_every_public_name_resolves():
    missing = [name for name in an.__all__ if getattr(an, name, None) is None]
    assert missing == []
    assert sorted(dir(an)) == sorted(set(dir(an)))


def test_progress_bar_loads_tqdm_only_when_shown():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from analysis.core.progress import progress_bar\n"
        "bar = progress_bar([1, 2], show=False, desc='x')\n"
        "assert list(bar) == [1, 2]; bar.update(); bar.set_postfix_str('s'); bar.close()\n"
        "print('tqdm' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    from analysis.core.progress import progress_bar

    bar = progress_bar(range(3), show=True, disable=True)
    assert type(bar).__module__.startswith("tqdm")
    assert list(bar) == [0, 1, 2]
