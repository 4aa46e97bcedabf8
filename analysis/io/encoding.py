"""Text encoding detection shared by the survey and text readers.

Chinese survey exports and office documents come as UTF-8 (with or without a BOM) or in
the GB family (GBK, GB2312, GB18030). GB18030 is a superset of GBK and GB2312, so trying
``utf-8-sig``, ``utf-8`` and then ``gb18030`` decodes all of them, and the first strict
success is the answer: UTF-8 is self-validating, so GB bytes almost never pass as UTF-8.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from analysis.core.errors import InputError

__all__ = ["ENCODINGS", "decode_bytes", "read_text_file"]

#: Encodings tried, in order.
ENCODINGS: tuple[str, ...] = ("utf-8-sig", "utf-8", "gb18030")


def decode_bytes(
    data: bytes, *, file: str | PathLike[str] | None = None, encoding: str | None = None
) -> tuple[str, str]:
    """Decode ``data`` with the first encoding of :data:`ENCODINGS` that fits.

    Parameters
    ----------
    data
        Raw bytes.
    file
        Where the bytes came from, for the error message.
    encoding
        Use this encoding instead of detecting one.

    Returns
    -------
    (text, encoding)
        The decoded text and the encoding used. ``utf-8-sig`` is reported only when a BOM
        was present; a BOM-less UTF-8 file reports ``utf-8``.

    Raises
    ------
    InputError
        No candidate decodes the bytes; the message gives the byte offset of the first
        failure under UTF-8.
    """
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(
                f"{Path(file).name if file else '<bytes>'}: cannot decode as {encoding!r}: {exc}",
                file=file,
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ENCODINGS
    else:
        candidates = tuple(e for e in ENCODINGS if e != "utf-8-sig")
    first_error: UnicodeDecodeError | None = None
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    name = Path(file).name if file else "<bytes>"
    pos = first_error.start if first_error else 0
    raise InputError(
        f"{name}: cannot decode the text (byte {pos}: {data[pos : pos + 4]!r}); "
        f"expected one of {', '.join(ENCODINGS)}. Save the file as UTF-8 and try again.",
        file=file,
    )


def read_text_file(path: str | PathLike[str], *, encoding: str | None = None) -> tuple[str, str]:
    """Read a whole text file, detecting its encoding.

    Returns
    -------
    (text, encoding)

    Raises
    ------
    InputError
        The file is missing or cannot be decoded.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found", file=path) from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a file", file=path) from None
    return decode_bytes(data, file=path, encoding=encoding)
