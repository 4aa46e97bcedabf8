"""The notebooks are committed clean: no outputs, a parameters cell, bilingual prose.

They are run top to bottom by nbmake (``pytest`` collects ``notebooks/``); these tests check
what is committed, without running a kernel.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
EXPECTED = ["01-survey.ipynb", "02-texts.ipynb", "03-compare.ipynb", "04-report.ipynb"]
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
MAX_CELL_LINES = 15  # longer logic belongs in analysis/


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict[str, Any]) -> str:
    text = cell["source"]
    return text if isinstance(text, str) else "".join(text)


def code_cells(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def python_of(cell: dict[str, Any]) -> str:
    """Cell source without IPython magics (lines starting with % or !)."""
    return "\n".join(
        line for line in source(cell).splitlines() if not line.lstrip().startswith(("%", "!"))
    )


def test_the_four_notebooks_are_there() -> None:
    assert [p.name for p in PATHS] == EXPECTED


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_valid_nbformat_4(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert load(path)["nbformat"] == 4


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_no_outputs_and_null_execution_counts(path: Path) -> None:
    for i, cell in enumerate(code_cells(load(path))):
        assert cell["outputs"] == [], f"{path.name}: code cell {i} has outputs"
        assert cell["execution_count"] is None, f"{path.name}: code cell {i} was executed"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_first_code_cell_is_tagged_parameters(path: Path) -> None:
    cells = code_cells(load(path))
    assert "parameters" in cells[0].get("metadata", {}).get("tags", [])
    assert all("parameters" not in c.get("metadata", {}).get("tags", []) for c in cells[1:])


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_parameters_are_paths_and_options_only(path: Path) -> None:
    tree = ast.parse(source(code_cells(load(path))[0]))
    assert tree.body, f"{path.name}: empty parameters cell"
    for node in tree.body:
        assert isinstance(node, ast.Assign), f"{path.name}: line {node.lineno} is not a = value"
        assert all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)
        ast.literal_eval(node.value)  # a literal: no calls, no computation


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_input_paths_exist_relative_to_notebooks(path: Path) -> None:
    tree = ast.parse(source(code_cells(load(path))[0]))
    inputs = [
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and str(node.value.value).startswith("../data/raw/")
    ]
    assert inputs, f"{path.name}: no input under ../data/raw/"
    for value in inputs:
        assert (NOTEBOOKS / value).exists(), f"{path.name}: {value} not found from notebooks/"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_markdown_is_chinese_then_english(path: Path) -> None:
    cells = [c for c in load(path)["cells"] if c["cell_type"] == "markdown"]
    assert len(cells) >= 4, f"{path.name}: too little prose to tell a story"
    for i, cell in enumerate(cells):
        text = source(cell)
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        chinese = [j for j, p in enumerate(paragraphs) if len(CJK.findall(p)) >= 4]
        english = [
            j
            for j, p in enumerate(paragraphs)
            if len(ENGLISH_WORD.findall(p)) >= 3 and len(CJK.findall(p)) < len(p) / 4
        ]
        assert chinese, f"{path.name}: markdown cell {i} has no Chinese paragraph"
        assert english, f"{path.name}: markdown cell {i} has no English paragraph"
        assert min(chinese) < max(english), f"{path.name}: cell {i}: Chinese comes first"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_warnings_shown_not_hidden(path: Path) -> None:
    code = "\n".join(source(c) for c in code_cells(load(path)))
    assert 'warnings.simplefilter("default")' in code
    assert not re.search(r"(simplefilter|filterwarnings)\(\s*[\"']ignore", code)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_no_logic_lives_only_in_a_notebook(path: Path) -> None:
    for i, cell in enumerate(code_cells(load(path))):
        text = python_of(cell)
        assert len(text.splitlines()) <= MAX_CELL_LINES, f"{path.name}: code cell {i} is long"
        for node in ast.walk(ast.parse(text)):
            assert not isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While)
            ), f"{path.name}: code cell {i} defines logic; move it into analysis/"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_imports_the_toolkit_without_private_names(path: Path) -> None:
    code = "\n".join(python_of(c) for c in code_cells(load(path)))
    assert "import analysis as an" in code
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
            assert all(not alias.name.startswith("_") for alias in node.names)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "an":
                assert not node.attr.startswith("_"), f"{path.name}: an.{node.attr} is private"
