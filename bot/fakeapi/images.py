"""The size of an uploaded image, read from its header as Telegram does before accepting a photo."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

_PNG: Final = b"\x89PNG\r\n\x1a\n"
_JPEG: Final = b"\xff\xd8"
# JPEG start-of-frame markers carry the size; C4 (Huffman table), C8 and CC are not frames.
_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True, slots=True)
class Image:
    """An image's MIME type and size in pixels."""

    mime_type: str
    width: int
    height: int


def image_info(data: bytes) -> Image | None:
    """Return the type and size of a PNG or JPEG, or None when it is neither."""
    if data.startswith(_PNG) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return Image("image/png", width, height)
    if data.startswith(_JPEG):
        return _jpeg(data)
    return None


def _jpeg(data: bytes) -> Image | None:
    """Walk a JPEG's segments to its start-of-frame."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _SOF and at + 9 <= len(data):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return Image("image/jpeg", width, height)
        at += 2 + length
    return None
