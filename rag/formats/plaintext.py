"""Text files (.txt, .md) in whatever encoding they were saved: UTF-8 (with or without a
byte-order mark), UTF-16/32 with a byte-order mark, or a single-byte Cyrillic code page
(CP1251, KZ-1048, PT154), told apart by the Kazakh letters each reading gives."""

from __future__ import annotations

import codecs
import unicodedata

from charset_normalizer import from_bytes

from kazrag.errors import DocumentError
from kazrag.said import Said

from ..text import KAZAKH_LETTERS, nfc

# Byte-order marks, longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Single-byte code pages Kazakh text is found in, in the order a tie is given. Detectors
# confuse them: they agree on every Russian letter and differ exactly on the Kazakh ones
# (byte 0xBC is `ә` in KZ-1048, Serbian `ј` in CP1251).
_KAZAKH_CODE_PAGES = ("kz1048", "cp1251", "ptcp154")
_RUSSIAN_LETTERS = set("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_UNKNOWN_ENCODING = (
    "{name} is not text in an encoding kazrag knows (UTF-8, UTF-16, CP1251, KZ-1048); save it "
    "as UTF-8"
)


def _odd_chars(text: str) -> int:
    """Characters a wrong code page makes of Kazakh/Russian text: C1 controls, Cyrillic
    letters of other alphabets (Serbian `ј`, Ukrainian `є`, Bashkir `ҙ`…), box drawing and
    `√` (DOS code pages), U+FFFD."""
    return sum(
        1
        for ch in text
        if "\x80" <= ch <= "\x9f"
        or ch in "\ufffd\u221a"
        or "\u2500" <= ch <= "\u25ff"
        or ("\u0400" <= ch <= "\u04ff" and ch not in KAZAKH_LETTERS and ch not in _RUSSIAN_LETTERS)
    )


def _cyrillic_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum("\u0400" <= ch <= "\u04ff" for ch in letters) / max(len(letters), 1)


def _best_reading(data: bytes, encodings: tuple[str, ...], by_kazakh: bool) -> str | None:
    """The reading with the fewest odd characters; among equals, the one with the most
    Kazakh letters if `by_kazakh`, then the first of `encodings`. None if none decodes."""
    readings = []
    for order, encoding in enumerate(dict.fromkeys(encodings)):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        kazakh = sum(ch in KAZAKH_LETTERS for ch in text) if by_kazakh else 0
        readings.append((_odd_chars(text), -kazakh, order, text))
    return min(readings)[3] if readings else None


def _decode_legacy(data: bytes, name: str) -> str:
    """Bytes that are not UTF-8: charset-normalizer's guess, checked for Kazakh.

    - a guess of one Kazakh code page is weighed against the others (cp1251 vs kz1048);
    - a guess that makes short Cyrillic text into accented Latin (`Żęłěĺň` for `Үкімет`)
      is replaced by the Kazakh code pages' reading;
    - another Cyrillic guess (KOI8-R, CP866) stands unless it reads odd characters where a
      Kazakh code page reads none.
    """
    best = from_bytes(data).best()
    if best is None:
        raise DocumentError(
            Said("unknown_encoding", _UNKNOWN_ENCODING, name=name), kind="unknown encoding"
        )
    guess = str(best)
    if best.encoding in _KAZAKH_CODE_PAGES:
        reading = _best_reading(data, (best.encoding,) + _KAZAKH_CODE_PAGES, by_kazakh=True)
    elif _cyrillic_share(guess) < 0.5:
        if _cyrillic_share(data.decode("kz1048", errors="replace")) < 0.5:
            return guess
        reading = _best_reading(data, _KAZAKH_CODE_PAGES, by_kazakh=True)
    else:
        reading = _best_reading(data, (best.encoding,) + _KAZAKH_CODE_PAGES, by_kazakh=False)
    return reading if reading is not None else guess


def _decode_bom(data: bytes, name: str) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise DocumentError(
                    Said(
                        "bad_bom",
                        "{name}: starts with a {encoding} byte-order mark but is not valid "
                        "text in that encoding",
                        name=name,
                        encoding=encoding.upper(),
                    ),
                    kind="unknown encoding",
                ) from None
    return None


def _looks_binary(text: str) -> bool:
    """Control characters text never has (a NUL-free binary can still decode)."""
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t\f\v")
    return controls > max(2, len(text) // 200)


def decode_text(data: bytes, name: str) -> str:
    """Bytes of a text file -> str, whatever common Cyrillic encoding it was saved in."""
    if not data.strip():
        raise DocumentError(Said("empty", "{name}: the file is empty", name=name), kind="empty")
    text = _decode_bom(data, name)
    if text is None:
        if b"\x00" in data:
            raise DocumentError(
                Said(
                    "binary_utf16",
                    "{name}: this is a binary file, not text (if it is UTF-16 text without a "
                    "byte-order mark, save it as UTF-8)",
                    name=name,
                ),
                kind="binary",
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_legacy(data, name)
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise DocumentError(Said("empty", "{name}: the file is empty", name=name), kind="empty")
    if _looks_binary(text):
        raise DocumentError(
            Said("binary", "{name}: this is a binary file, not text", name=name), kind="binary"
        )
    return text
