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
        failure under UTF-8. A forced ``encoding`` that fails names the one detected.
    """
    if encoding is not None:
        try:
            text = data.decode(encoding)
            _warn_if_utf8(data, encoding, file)
            return text, encoding
        except (UnicodeDecodeError, LookupError) as exc:
            likely = _likely(data)
            hint = (
                f"; it decodes as {likely!r}: use encoding={likely!r}, or leave the encoding "
                "out to detect it"
                if likely and likely != encoding
                else ""
            )
            raise InputError(
                f"{Path(file).name if file else '<bytes>'}: cannot decode as {encoding!r}: "
                f"{exc}{hint}",
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


def _warn_if_utf8(data: bytes, encoding: str, file: str | PathLike[str] | None) -> None:
    """Warn when bytes forced to a non-UTF-8 encoding are valid UTF-8 with non-ASCII text:
    UTF-8 is self-validating, so they almost surely are UTF-8 and now read as mojibake."""
    import codecs
    import warnings

    from analysis.core.errors import DataQualityWarning

    try:
        if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig") or data.isascii():
            return
        data.decode("utf-8")
    except (UnicodeDecodeError, LookupError):
        return
    warnings.warn(
        f"{Path(file).name if file else '<bytes>'}: read as {encoding!r} as asked, but the "
        "bytes are valid UTF-8, which is the likely encoding; leave the encoding out to "
        "detect it",
        DataQualityWarning,
        stacklevel=4,
    )


def _likely(data: bytes) -> str | None:
    """The encoding :func:`decode_bytes` would detect, or None."""
    for enc in ENCODINGS[1:] if not data.startswith(b"\xef\xbb\xbf") else ENCODINGS:
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        return enc
    return None


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
