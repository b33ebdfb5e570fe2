"""Counters a user can read: ``client.stats``, a :class:`ClientStats` snapshot.

::

    stats = client.stats
    stats.frames_dropped   # frames received that could not be decoded, dropped (the connection went on)
    stats.reconnects       # new connections that replaced a lost one
    stats.rewatch_retries  # failed attempts to watch a channel again after a reconnect (each retried)

The counts cover the client's whole life, every ``connect_user`` included. Reading them
costs a small object; they are kept per client by :class:`Counters`, which the connection
code updates.

A dropped frame is also named in a WARNING on the ``streamchat.connection`` logger: why it
was dropped (too deeply nested, not valid UTF-8, not JSON, not the shape of its event type),
its size, never its content. Warnings are rate-limited per client: the first
:data:`FIRST_WARNINGS` one by one, then at most one summary every :data:`SUMMARY_INTERVAL`
seconds with the count since the last line.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from streamchat_core.errors import DecodeError

__all__ = [
    "FIRST_WARNINGS",
    "SUMMARY_INTERVAL",
    "ClientStats",
    "Counters",
    "describe_decode_failure",
]

logger = logging.getLogger("streamchat.connection")

#: Dropped frames warned about one by one, per client, before warnings turn into summaries.
FIRST_WARNINGS: Final = 3
#: At most one summary line per this many seconds, per client.
SUMMARY_INTERVAL: Final = 60.0

# Quoted spans in a decoder's message may be values from the frame (msgspec quotes an invalid
# enum value): only protocol names survive (event types such as 'message.new', and 'utf-8').
_QUOTED: Final = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_PROTOCOL_NAME: Final = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+|utf-8")
_REASON_CHARS: Final = 200


@dataclass(frozen=True)
class ClientStats:
    """A snapshot of a client's counters (see :mod:`streamchat_core.stats`)."""

    #: Frames received that could not be decoded (or delivered), dropped; the connection went on.
    frames_dropped: int = 0
    #: New connections that replaced a lost one (each followed by ``connection.recovered``).
    reconnects: int = 0
    #: Failed attempts to watch a channel again after a reconnect; every one was retried.
    rewatch_retries: int = 0


def _keep_protocol_names(match: re.Match[str]) -> str:
    quoted = match.group(1) if match.group(1) is not None else match.group(2)
    return match.group(0) if len(quoted) <= 64 and _PROTOCOL_NAME.fullmatch(quoted) else "'…'"


def describe_decode_failure(exc: BaseException) -> str:
    """Why a frame could not be decoded, in words that never quote the frame's content."""
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to decode (RecursionError)"
    if isinstance(exc, MemoryError):
        return "it is too large to decode (MemoryError)"
    if isinstance(exc, DecodeError):
        text = _QUOTED.sub(_keep_protocol_names, str(exc))
        if len(text) > _REASON_CHARS:
            text = text[: _REASON_CHARS - 1] + "…"
        return text
    return f"decoding it raised {type(exc).__name__}"


class Counters:
    """The mutable counters behind :class:`ClientStats`, and the rate limit of the drop warnings."""

    __slots__ = (
        "_clock",
        "_last_summary",
        "_latest_reason",
        "_unreported",
        "_warned",
        "frames_dropped",
        "reconnects",
        "rewatch_retries",
    )

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.frames_dropped = 0
        self.reconnects = 0
        self.rewatch_retries = 0
        self._clock = clock
        self._warned = 0
        self._unreported = 0
        self._latest_reason = ""
        self._last_summary = 0.0

    def snapshot(self) -> ClientStats:
        return ClientStats(
            frames_dropped=self.frames_dropped,
            reconnects=self.reconnects,
            rewatch_retries=self.rewatch_retries,
        )

    def frame_dropped(self, transport: str, size: int, reason: str) -> None:
        """Count a dropped frame and warn about it, within the rate limit."""
        self.frames_dropped += 1
        if self._warned < FIRST_WARNINGS:
            self._warned += 1
            more = (
                f"; further ones are summarised at most every {SUMMARY_INTERVAL:g} s"
                if self._warned == FIRST_WARNINGS
                else ""
            )
            logger.warning(
                "dropped a frame of %d bytes on the %s connection: %s%s", size, transport, reason, more
            )
            self._last_summary = self._clock()
            return
        self._unreported += 1
        self._latest_reason = reason
        if self._clock() - self._last_summary >= SUMMARY_INTERVAL:
            self.flush(transport)

    def flush(self, transport: str) -> None:
        """Write the summary of the drops not reported yet, if any (when a connection ends)."""
        if not self._unreported:
            return
        logger.warning(
            "dropped %d more frames that could not be decoded on the %s connection (latest: %s); %d in all",
            self._unreported,
            transport,
            self._latest_reason,
            self.frames_dropped,
        )
        self._unreported = 0
        self._last_summary = self._clock()
