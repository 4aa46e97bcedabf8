"""Every file a run wrote, as one text: what the privacy tests search for personal data."""

from __future__ import annotations

import zipfile
from pathlib import Path

_PLAIN = (".html", ".csv", ".json", ".log", ".txt", ".md", ".svg")


def all_output_text(out: Path, *, skip: tuple[str, ...] = (".cache",)) -> str:
    """Text of every file under ``out``: plain files read, DOCX/XLSX unzipped, Parquet
    tables rendered cell by cell, PNG metadata decoded. Folders named in ``skip`` are left
    out (the token cache holds integer codes, not text)."""
    import pandas as pd

    chunks = []
    for path in sorted(out.rglob("*")):
        if not path.is_file() or any(part in skip for part in path.relative_to(out).parts):
            continue
        if path.suffix in _PLAIN:
            chunks.append(path.read_text(encoding="utf-8-sig"))
        elif path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as z:
                chunks += [z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")]
        elif path.suffix == ".parquet":
            chunks.append(pd.read_parquet(path).astype(str).to_csv(index=False))
        else:
            chunks.append(path.read_bytes().decode("utf-8", errors="ignore"))
    return "\n".join(chunks)
