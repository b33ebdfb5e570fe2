"""A limit on how deeply JSON input may nest, checked before it is decoded.

msgspec decodes nested arrays and objects (skipped unknown keys included) by recursing, and a
few thousand levels exhaust Python's recursion limit: a ``RecursionError`` instead of a clean
refusal. Nothing a Stream client sends nests anywhere near :data:`MAX_DEPTH` levels, so input
deeper than that is refused before it reaches the decoder: code 4 on HTTP, close code 1007 on
the WebSocket.

The check is cheap: most input holds fewer brackets than the limit, and two ``count`` calls
prove it shallow. Otherwise strings are cut out (brackets inside them do not nest) and the
depth is measured over what is left, every step in C.
"""

from __future__ import annotations

import itertools
import re
from typing import Final

from streamchat_core.emulator.errors import INPUT, RequestError

__all__ = ["MAX_DEPTH", "check_nesting", "nested_too_deep"]

#: Arrays and objects deeper than this are refused.
MAX_DEPTH: Final = 100

# A JSON string, escapes included; an unterminated one runs to the end of the input.
_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS: Final = bytes(b for b in range(256) if b not in b"[]{}")
_STEP: Final = [0] * 256
for _byte in b"[{":
    _STEP[_byte] = 1
for _byte in b"]}":
    _STEP[_byte] = -1


def _opening_brackets(data: bytes | str) -> int:
    if isinstance(data, str):
        return data.count("[") + data.count("{")
    return data.count(b"[") + data.count(b"{")


def nested_too_deep(data: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """Whether ``data`` (JSON, valid or not) nests arrays and objects deeper than ``limit``.

    Brackets inside strings do not count. Input that is not JSON is measured all the same;
    the decoder refuses it afterwards if it is shallow enough to try.
    """
    if _opening_brackets(data) <= limit:
        return False
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    if brackets.count(b"[") + brackets.count(b"{") <= limit:
        return False
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets))) > limit


def check_nesting(data: bytes | str, what: str) -> None:
    """Refuse ``data`` with code 4 (HTTP 400) when it nests deeper than :data:`MAX_DEPTH`."""
    if nested_too_deep(data):
        raise RequestError(
            INPUT, 400, f"{what} nests arrays and objects more than {MAX_DEPTH} levels deep, the limit"
        )
