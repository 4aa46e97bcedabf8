"""``manifest.json``: what a run read, with which versions and options, and what it wrote.

Outputs are regenerable, so the manifest carries no clock time: the same inputs, versions
and parameters give the same manifest, byte for byte.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.study.config import Study

__all__ = ["build_manifest", "file_sha256", "git_commit", "package_versions"]

#: Packages whose versions can change a result.
TRACKED_PACKAGES = (
    "analysis",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "scikit-learn",
    "jieba",
    "rjieba",
    "matplotlib",
    "openpyxl",
    "pyreadstat",
    "python-docx",
    "pypdf",
    "Jinja2",
    "PyYAML",
    "networkx",
    "pyarrow",
)


def file_sha256(path: str | PathLike[str], *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def package_versions(names: Iterable[str] = TRACKED_PACKAGES) -> dict[str, str]:
    """Installed versions of ``names``; packages that are not installed are left out."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_commit(path: str | PathLike[str] | None = None) -> str | None:
    """The commit of the git checkout holding ``path`` (default: this package), if any.

    ``+dirty`` is appended when tracked files have uncommitted changes.
    """
    where = Path(path) if path is not None else Path(__file__).resolve().parent
    try:
        proc = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = proc.stdout.strip()
    if proc.returncode != 0 or len(commit) != 40:
        return None
    try:
        status = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return commit
    # uncommitted changes to tracked files: the commit alone does not describe the code
    return commit + "+dirty" if status.stdout.strip() else commit


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def build_manifest(
    study: Study,
    *,
    output: Path,
    files: Iterable[str],
    params: Mapping[str, Any],
    counts: Mapping[str, int],
) -> dict[str, Any]:
    """Describe a run.

    Returns
    -------
    dict
        ``analysis_version``, ``git_commit`` (of the package checkout, or null),
        ``versions`` (Python and libraries), ``study`` (the study file, relative to its
        folder), ``inputs`` (path relative to the study folder, bytes, sha256), ``parameters``,
        ``counts`` (rows read, quarantined, excluded, documents…) and ``outputs`` (path
        relative to the output folder, sha256).
    """
    from analysis import __version__

    root = study.root
    inputs = [
        {"path": _relative(p, root), "bytes": p.stat().st_size, "sha256": file_sha256(p)}
        for p in study.inputs()
    ]
    outputs = [{"path": f, "sha256": file_sha256(output / f)} for f in sorted(files)]
    return {
        "analysis_version": __version__,
        "git_commit": git_commit(),
        "versions": package_versions(),
        "study": study.path.name,
        "inputs": inputs,
        "parameters": dict(params),
        "counts": dict(counts),
        "outputs": outputs,
    }
