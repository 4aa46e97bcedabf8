"""Provenance: the package version, hashes of files, versions of libraries, the git commit.

Every output of the toolkit records where it came from (rrtools' colophon, the study
manifest); these are the pieces, shared by the study runner and the reports.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from os import PathLike
from pathlib import Path

__all__ = ["TRACKED_PACKAGES", "__version__", "file_sha256", "git_commit", "package_versions"]

__version__ = "0.1.0"

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
    import platform
    from importlib import metadata

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
