"""The own user's typing in one channel: when to send ``typing.start`` and ``typing.stop``.

The rules are those of Stream's clients:

- a keystroke sends ``typing.start`` if none was sent yet, or if more than ``throttle`` seconds
  (2 s) have passed since the last one: at most one every 2 s while the user types;
- ``typing.stop`` follows on its own ``stop_after`` seconds (1 s) after the last keystroke;
- someone else's ``typing.start`` counts for ``expire_after`` seconds (7 s) without a
  ``typing.stop``; then the client forgets it and dispatches a local ``typing.stop``.

This module only keeps the state and does the arithmetic, on the event loop's clock
(``anyio.current_time()``); :mod:`streamchat_core.channel` sends the events and runs the timer.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamchat_core.durations import positive_seconds

__all__ = ["OutgoingTyping", "TypingTimings"]


@dataclass(frozen=True)
class TypingTimings:
    """The typing intervals, in seconds.

    Tests shorten them; applications should keep the defaults, which other clients expect.
    """

    #: At most one ``typing.start`` per this many seconds while the user keeps typing.
    throttle: float = 2.0
    #: ``typing.stop`` goes out on its own this long after the last keystroke.
    stop_after: float = 1.0
    #: Someone else's ``typing.start`` is forgotten after this long without a ``typing.stop``.
    expire_after: float = 7.0

    def __post_init__(self) -> None:
        for name in ("throttle", "stop_after", "expire_after"):
            object.__setattr__(
                self, name, positive_seconds(getattr(self, name), f"TypingTimings.{name}", finite=True)
            )


class OutgoingTyping:
    """Whether the own user is typing in a channel, and when the last events went out."""

    def __init__(self, timings: TypingTimings) -> None:
        self.timings = timings
        #: True from a keystroke until ``typing.stop`` (automatic or not).
        self.is_typing = False
        #: The thread (parent message id) of the last keystroke; ``None`` for the channel itself.
        self.parent_id: str | None = None
        self.last_keystroke: float | None = None
        self.last_start_sent: float | None = None

    def keystroke(self, now: float, parent_id: str | None) -> bool:
        """Record a keystroke at ``now``; returns whether a ``typing.start`` is due."""
        self.is_typing = True
        self.parent_id = parent_id
        self.last_keystroke = now
        if self.last_start_sent is None or now - self.last_start_sent > self.timings.throttle:
            self.last_start_sent = now
            return True
        return False

    def stop_due_in(self, now: float) -> float | None:
        """Seconds until the automatic ``typing.stop`` is due (0 when due); ``None`` when not typing."""
        if not self.is_typing or self.last_keystroke is None:
            return None
        return max(self.last_keystroke + self.timings.stop_after - now, 0.0)

    def reset(self) -> None:
        """Not typing any more: the next keystroke sends ``typing.start`` again."""
        self.is_typing = False
        self.last_keystroke = None
        self.last_start_sent = None
