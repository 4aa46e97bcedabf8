"""Readers for the two kinds of evidence: survey exports and documents.

Split into a sub-package because both sides grew: :mod:`analysis.io.tabular` reads survey
exports (问卷星 / 腾讯问卷, CSV, XLSX, XLS, SPSS and Stata) as text tables, with
:mod:`analysis.io.excel` for workbooks and :mod:`analysis.io.platforms` for the platforms'
headers (recoding with a codebook is the survey stage's job); :mod:`analysis.io.text_files`
reads txt, docx, pdf and one-document-per-row tables into memory,
:mod:`analysis.io.dask_texts` lazily into a Dask frame, and :mod:`analysis.io.texts` (the
public :func:`read_texts`) chooses between them; :mod:`analysis.io.encoding` detects text
encodings for both. Heavy modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.core.lazy import attach
from analysis.io.encoding import decode_bytes, read_text_file

_LAZY = {
    "read_raw_table": "analysis.io.tabular",
    "read_texts": "analysis.io.texts",
    "text_quarantine": "analysis.io.texts",
}
__all__ = ["decode_bytes", "read_text_file", *_LAZY]
__getattr__, __dir__ = attach(__name__, _LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.io.tabular import read_raw_table
    from analysis.io.texts import read_texts, text_quarantine
