"""The labelled corpus passages: references into public documents, resolved to text on demand.

The validation set of the default framework is a list of passages of real public documents
(government work reports, congress reports, the CPC constitution, laws and regulations),
labelled twice, independently, by the rules in ``docs/labelling.md`` and adjudicated. The
package stores only references (``doc_id``, character offsets, a hash of the passage), the
labels and the coders' reasons: never the text. :func:`load_labelled_passages` joins the text
back from a copy of the corpus (``documents.jsonl``, one JSON object per document with
``doc_id`` and ``text``) and checks each passage against its hash, so a changed corpus is
caught instead of silently mislabelled.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import resources
from pathlib import Path

import pandas as pd

from analysis.core.errors import ConfigError, InputError

__all__ = ["CORPUS_ENV", "find_corpus", "load_labelled_passages", "passage_hash"]

#: Environment variable naming the corpus file (``documents.jsonl``).
CORPUS_ENV = "ANALYSIS_CORPUS"
_LABELS = "corpus_labels.csv"


def passage_hash(text: str) -> str:
    """First 16 hex digits of the SHA-256 of a passage's UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def find_corpus(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The corpus file: ``path``, else ``$ANALYSIS_CORPUS``, else ``../shared/corpora``
    next to a source checkout; ``None`` when there is none."""
    candidates = []
    if path is not None:
        candidates.append(Path(path))
    if os.environ.get(CORPUS_ENV):
        candidates.append(Path(os.environ[CORPUS_ENV]))
    checkout = Path(__file__).resolve().parents[3]
    candidates.append(checkout / "shared" / "corpora" / "documents.jsonl")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def _read_corpus(path: Path, wanted: set[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}, line {line_no}: not JSON ({exc.msg})") from None
            if record.get("doc_id") in wanted:
                texts[record["doc_id"]] = str(record.get("text", ""))
    return texts


def load_labelled_passages(
    corpus: str | os.PathLike[str] | None = None, *, with_text: bool = True
) -> pd.DataFrame:
    """The labelled corpus passages, one row each.

    Parameters
    ----------
    corpus
        Path of ``documents.jsonl``; default: see :func:`find_corpus`.
    with_text
        Join the passage text from the corpus (and check it against ``text_sha256``).
        ``False`` returns the references and labels alone, which need no corpus.

    Returns
    -------
    pandas.DataFrame
        ``passage_id``, ``doc_id``, ``start``, ``end``, ``text_sha256``, ``split``
        (``dev`` or ``test``: whole documents), ``label`` (adjudicated), ``secondary``,
        ``reason``, and each pass's ``label_a``, ``secondary_a``, ``reason_a``,
        ``label_b``, ``secondary_b``, ``reason_b``, ``adjudication``; with ``with_text``
        also ``text``.

    Raises
    ------
    ConfigError
        ``with_text`` and no corpus found, or a passage's text no longer matches its hash.
    """
    path = Path(str(resources.files("analysis") / "resources" / "validation" / _LABELS))
    labels = pd.read_csv(path, dtype=str, keep_default_na=False)
    labels["start"] = labels["start"].astype(int)
    labels["end"] = labels["end"].astype(int)
    if not with_text:
        return labels
    found = find_corpus(corpus)
    if found is None:
        raise ConfigError(
            "the labelled passages refer to the public corpus documents.jsonl, which was not "
            f"found: pass its path or set ${CORPUS_ENV}"
        )
    docs = _read_corpus(found, set(labels["doc_id"]))
    texts = []
    for row in labels.itertuples(index=False):
        if row.doc_id not in docs:
            raise ConfigError(f"{found}: document {row.doc_id!r} of {row.passage_id} is missing")
        text = docs[row.doc_id][row.start : row.end]
        if passage_hash(text) != row.text_sha256:
            raise ConfigError(
                f"{found}: passage {row.passage_id} ({row.doc_id} {row.start}-{row.end}) no "
                "longer matches its hash: the corpus changed"
            )
        texts.append(text)
    labels["text"] = texts
    return labels
