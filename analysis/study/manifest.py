"""``manifest.json``: what a run read, with which versions and options, and what it wrote.

Outputs are regenerable, so the manifest carries no clock time: the same inputs, versions
and parameters give the same manifest, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core.provenance import __version__, file_sha256, git_commit, package_versions

if TYPE_CHECKING:
    from analysis.study.config import Study

__all__ = ["build_manifest"]


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
