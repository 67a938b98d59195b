"""The text encoding of a CSV/TSV/TXT file: given, or detected from its bytes.

Every text file becomes UTF-8 without a BOM for Polars: UTF-8 (with or without BOM),
UTF-16 (Excel's "Unicode text", with or without BOM), and for anything else
Windows-1258 when the bytes read as Vietnamese, else Windows-1252, with a note.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from dashboard.errors import HandoffError
from dashboard.ingest.frames import CONVERT_FIX, fail

SNIFF_BYTES = 64 * 1024

_ENCODING_NAMES = {"cp1252": "windows-1252", "cp1258": "windows-1258", "utf_16": "utf-16"}


def _encoding_label(codec_name: str) -> str:
    return _ENCODING_NAMES.get(codec_name.replace("-", "_"), codec_name)


@dataclass
class Decoded:
    """A file's text as UTF-8 bytes, with the encoding it was read in."""

    data: bytes  # UTF-8 without BOM
    encoding: str
    notes: list[str]
    verified: bool  # False when only a sample was checked to be UTF-8


def _is_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    return len(sample) > 0 and controls / len(sample) > 0.05


def _text_is_binary(text: str) -> bool:
    """True when decoded text is mostly control characters (wrongly guessed binary)."""
    sample = text[:SNIFF_BYTES]
    if not sample:
        return False
    controls = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f") or ch == "\ufffd")
    return controls / len(sample) > 0.05


def _binary_error(display: str) -> HandoffError:
    return fail(
        display,
        "the file does not contain readable text (it looks like a binary file)",
        "upload the data as CSV, Excel (.xlsx) or Parquet; " + CONVERT_FIX,
    )


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NULs sit at every other byte, as in UTF-16 text."""
    if len(sample) < 8:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


# cp1258 bytes for vowels (incl. â ê ô ă ơ ư) and its five combining tone marks.
_VN_VOWEL = rb"[aeiouyAEIOUY\xe2\xea\xf4\xe3\xf5\xfd\xc2\xca\xd4\xc3\xd5\xdd]"
_VN_TONE = rb"[\xcc\xec\xde\xd2\xf2]"
_VN_TONED = re.compile(_VN_VOWEL + _VN_TONE)
_VN_LETTERS = re.compile(rb"[\xd0\xf0\xdd\xfd]")  # Đ đ Ư ư in cp1258


def _looks_vietnamese(data: bytes) -> bool:
    """True when the bytes read as Windows-1258 give Vietnamese text.

    Vietnamese in cp1258 writes most tones as a combining mark right after a vowel;
    Western text in cp1252 almost never has those bytes after a vowel (Portuguese ã õ
    are different bytes), so toned vowels plus đ/ư must be a good share of the
    non-ASCII bytes.
    """
    non_ascii = len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))
    if non_ascii == 0:
        return False
    toned = len(_VN_TONED.findall(data))
    if toned == 0:
        return False
    letters = len(_VN_LETTERS.findall(data))
    return (2 * toned + letters) >= 0.2 * non_ascii


def decode_legacy(raw: bytes, display: str) -> tuple[str, str, list[str]]:
    """Bytes that are not UTF-8 decoded as Windows-1258 or -1252: text, label, notes."""
    if _is_binary(raw[:SNIFF_BYTES]):
        raise _binary_error(display)
    codec = "cp1258" if _looks_vietnamese(raw) else "cp1252"
    text = raw.decode(codec, errors="replace")
    if codec == "cp1258":
        # cp1258 writes tones as combining marks; compose them so values compare equal
        # to the same names typed in UTF-8 files.
        text = unicodedata.normalize("NFC", text)
        note = "decoded as Windows-1258 (the file is not UTF-8; the text looks Vietnamese)"
    else:
        note = "decoded as Windows-1252 (the file is not UTF-8)"
    bad = text.count("\ufffd")
    if bad:
        note += f"; {bad} bytes could not be decoded and show as \ufffd"
    note += ". If letters look wrong, save the file as 'CSV UTF-8' and upload it again"
    return text, _encoding_label(codec), [note]


def decode(raw: bytes, display: str, encoding: str | None) -> Decoded:
    """Turn the file's bytes into UTF-8 for Polars, detecting the encoding if not given."""
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise fail(
                display,
                f"unknown text encoding {encoding!r}",
                "use a name such as 'utf-8', 'utf-16', 'windows-1252' or 'windows-1258'",
            ) from None
        if codec == "utf-8":
            if raw.startswith(codecs.BOM_UTF8):
                return Decoded(raw[3:], "utf-8-sig", [], False)
            return Decoded(raw, "utf-8", [], False)
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as exc:
            raise fail(
                display,
                f"the file cannot be decoded as {encoding} (byte {exc.start})",
                "choose the encoding the file was saved in, or leave it to be detected",
            ) from None
        except LookupError:  # a codec that is not a text encoding, such as rot13
            raise fail(
                display,
                f"{encoding!r} is not a text encoding",
                "use a name such as 'utf-8', 'utf-16', 'windows-1252' or 'windows-1258'",
            ) from None
        text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
        label = _encoding_label(codec)
        return Decoded(text.encode("utf-8"), label, [f"decoded as {label}, as requested"], True)

    if raw.startswith(codecs.BOM_UTF8):
        return Decoded(raw[3:], "utf-8-sig", [], False)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _binary_error(display) from None
        if _text_is_binary(text):
            raise _binary_error(display)
        return Decoded(
            text.encode("utf-8"),
            "utf-16",
            ["decoded as UTF-16 (Excel 'Unicode text')"],
            True,
        )
    sample = raw[:SNIFF_BYTES]
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        try:
            text = raw.decode(utf16)
        except UnicodeDecodeError:
            raise _binary_error(display) from None
        if _text_is_binary(text):
            raise _binary_error(display)
        return Decoded(
            text.encode("utf-8"),
            "utf-16",
            [f"decoded as {utf16.upper()} (no byte-order mark)"],
            True,
        )
    if b"\x00" in sample:
        raise _binary_error(display)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(raw) <= SNIFF_BYTES)
    except UnicodeDecodeError:
        text, label, notes = decode_legacy(raw, display)
        return Decoded(text.encode("utf-8"), label, notes, True)
    if _is_binary(sample):
        raise _binary_error(display)
    return Decoded(raw, "utf-8", [], False)
