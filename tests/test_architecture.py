"""The package's shape: stage packages, imports one way, no circles, small modules.

Every import in ``analysis/`` is read with :mod:`ast` (lazy imports inside functions and
those under ``TYPE_CHECKING`` included) and checked against the row table below, which
``CONTRIBUTING.md`` explains. A module imports only its own package or a package on a lower
row; packages on the same row never import each other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "analysis"

# stage -> stages it may import (its own package is always allowed)
MAY_IMPORT: dict[str, frozenset[str]] = {
    "face": frozenset({"core", "report", "io", "stats", "survey", "text", "study"}),
    "study": frozenset({"core", "report", "io", "stats", "survey", "text"}),
    "survey": frozenset({"core", "report", "io", "stats"}),
    "text": frozenset({"core", "report", "io", "stats"}),
    "io": frozenset({"core", "report"}),
    "stats": frozenset({"core", "report"}),
    "report": frozenset({"core"}),
    "core": frozenset(),
}
STAGES = frozenset(MAY_IMPORT) - {"face"}
# what may sit directly under analysis/: the lazy face and ``python -m analysis``
TOP_LEVEL = frozenset({"__init__", "__main__"})
MAX_TOP_LEVEL = 8
MAX_LINES = 600


def module_name(path: Path, root: Path) -> str:
    """``analysis.text.segment`` for ``root/text/segment.py`` (``__init__`` names its package)."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage_of(module: str) -> str:
    """The stage a module belongs to: its first package under ``analysis``, or ``face``."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in STAGES:
        return parts[1]
    if module in ("analysis", "analysis.__main__"):
        return "face"
    return parts[1]  # a module directly under analysis/ that belongs to no stage


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """Modules of ``analysis`` named by one import statement."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == "analysis" or alias.name.startswith("analysis."):
                yield alias.name
        return
    if not isinstance(node, ast.ImportFrom):
        return
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = package[: len(package) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not (target == "analysis" or target.startswith("analysis.")):
        return
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        # ``from . import apa`` imports a module; ``from .x import f`` a name from one
        yield sub if sub in known else target


def import_edges(root: Path) -> dict[str, set[str]]:
    """Every module of the package under ``root`` -> the package modules it imports."""
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    edges: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        targets = set()
        for node in ast.walk(tree):
            for target in _imported(node, module, is_package, set(files)):
                # a name from a module that is not a file (rare): its nearest package
                while target not in files and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target != module:
                    targets.add(target)
        edges[module] = targets
    return edges


def upward_imports(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports against the row table, as (importer, imported) pairs."""
    bad = []
    for module, targets in edges.items():
        own = stage_of(module)
        for target in targets:
            other = stage_of(target)
            if other == own:
                continue
            if other not in MAY_IMPORT.get(own, frozenset()):
                bad.append((module, target))
    return sorted(bad)


def import_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other in a circle (Tarjan's strongly connected
    components with more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


def long_modules(root: Path, limit: int = MAX_LINES) -> dict[str, int]:
    """Modules over ``limit`` lines."""
    sizes = {
        module_name(p, root): len(p.read_text(encoding="utf-8").splitlines())
        for p in root.rglob("*.py")
    }
    return {m: n for m, n in sorted(sizes.items()) if n > limit}


def top_level_modules(root: Path) -> list[str]:
    """Modules directly under the package folder."""
    return sorted(p.stem for p in root.glob("*.py"))


@pytest.fixture(scope="module")
def edges() -> dict[str, set[str]]:
    return import_edges(ROOT)


def test_no_import_goes_against_the_row_table(edges: dict[str, set[str]]) -> None:
    assert upward_imports(edges) == []


def test_no_modules_import_each_other_in_a_circle(edges: dict[str, set[str]]) -> None:
    assert import_cycles(edges) == []


def test_every_module_belongs_to_a_stage(edges: dict[str, set[str]]) -> None:
    loose = [m for m in edges if stage_of(m) not in MAY_IMPORT]
    assert loose == []


def test_no_module_is_over_600_lines() -> None:
    assert long_modules(ROOT) == {}


def test_few_modules_sit_directly_under_the_package() -> None:
    top = top_level_modules(ROOT)
    assert len(top) <= MAX_TOP_LEVEL
    assert set(top) <= TOP_LEVEL


# --- the checks themselves can fail ------------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "analysis" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "analysis"


def _stages(root: Path, names: Iterable[str]) -> dict[str, str]:
    return {f"{n}/__init__.py": "" for n in names}


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            **_stages(tmp_path, ["core", "report", "stats", "study"]),
            "core/words.py": "def lang(): ...\n",
            # a lazy import inside a function, and one under TYPE_CHECKING
            "report/charts.py": "def f():\n    from ..stats.tests import t\n",
            "stats/tests.py": (
                "from typing import TYPE_CHECKING\n"
                "from analysis.core import words\n"
                "if TYPE_CHECKING:\n    from analysis.study.run import Run\n"
            ),
            "study/run.py": "from ..stats import tests\nclass Run: ...\n",
        },
    )
    found = upward_imports(import_edges(root))
    assert found == [
        ("analysis.report.charts", "analysis.stats.tests"),
        ("analysis.stats.tests", "analysis.study.run"),
    ]
    assert import_cycles(import_edges(root)) == [["analysis.stats.tests", "analysis.study.run"]]


def test_same_row_packages_may_not_import_each_other(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            **_stages(tmp_path, ["survey", "text", "io", "stats"]),
            "survey/scores.py": "import analysis.text.segment\n",
            "text/segment.py": "",
            "io/tabular.py": "from analysis.stats import omnibus\n",
            "stats/omnibus.py": "",
        },
    )
    assert upward_imports(import_edges(root)) == [
        ("analysis.io.tabular", "analysis.stats.omnibus"),
        ("analysis.survey.scores", "analysis.text.segment"),
    ]


def test_a_circle_inside_one_package_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "text/__init__.py": "",
            "text/lexicon.py": "from .segment import Segmenter\n",
            "text/segment.py": "def f():\n    from . import lexicon\n",
        },
    )
    assert import_cycles(import_edges(root)) == [["analysis.text.lexicon", "analysis.text.segment"]]
    assert upward_imports(import_edges(root)) == []


def test_size_and_top_level_checks_can_fail(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"__init__.py": "", "big.py": "x = 1\n" * 601, "core/__init__.py": ""})
    assert long_modules(root) == {"analysis.big": 601}
    assert top_level_modules(root) == ["__init__", "big"]
    assert stage_of("analysis.big") not in MAY_IMPORT
