"""Compare two output folders of ``analysis run`` file by file, byte for byte.

The git commit in the colophon (40 hex digits, perhaps with ``+dirty``) is masked, Word and
Excel files are compared part by part inside their zip (the zip's own timestamps aside),
and ``manifest.json``, ``run.log`` and the token cache are left out: they record the run,
not its results. Exits 1 when a file differs or the two folders hold different files.

Run: python benchmarks/compare_outputs.py REFERENCE OUTPUT
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

COMMIT = re.compile(rb"[0-9a-f]{40}(\+dirty)?")
SKIPPED = {"manifest.json", "run.log"}


def _files(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and ".cache" not in p.parts and p.name not in SKIPPED
    )


def _content(path: Path) -> bytes | dict[str, bytes]:
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return {n: COMMIT.sub(b"X", z.read(n)) for n in sorted(z.namelist())}
    return COMMIT.sub(b"X", path.read_bytes())


def compare(reference: Path, output: Path) -> list[str]:
    """Return the problems found: files missing on one side, files that differ."""
    ref, out = _files(reference), _files(output)
    problems = [f"only in {reference}: {f}" for f in sorted(set(ref) - set(out))]
    problems += [f"only in {output}: {f}" for f in sorted(set(out) - set(ref))]
    for name in sorted(set(ref) & set(out)):
        if _content(reference / name) != _content(output / name):
            problems.append(f"differs: {name}")
    return problems


def main() -> None:
    reference, output = Path(sys.argv[1]), Path(sys.argv[2])
    problems = compare(reference, output)
    for line in problems:
        print(line)
    print(f"compared {len(_files(reference))} files: {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
