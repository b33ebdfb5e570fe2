"""The ``streamchat`` logger: ``log_level=`` sets its level and, where nothing else would, shows it.

Every logger of the project (the emulator's included) is a child of ``streamchat``.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

__all__ = ["LOG_HANDLER_NAME", "show_logs"]

#: The name of the stderr handler that ``log_level=`` adds to the ``streamchat`` logger when
#: the program configured no logging (at most one per process).
LOG_HANDLER_NAME = "streamchat.stderr"
_log_handler_lock = threading.Lock()


class _StderrLogHandler(logging.StreamHandler):  # type: ignore[type-arg]  # not subscriptable before 3.11
    """Writes the ``streamchat`` records to stderr, for a program that configured no logging.

    Added once per process (named :data:`LOG_HANDLER_NAME`). It steps aside as soon as the
    program configures logging after all (the root logger or ``streamchat`` gets a handler of
    its own), so a record is never written twice.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.set_name(LOG_HANDLER_NAME)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def handle(self, record: logging.LogRecord) -> Any:
        if logging.getLogger().handlers or any(
            h is not self for h in logging.getLogger("streamchat").handlers
        ):
            return False
        self.stream = sys.stderr  # stderr as it is now: a program may have replaced it since
        return super().handle(record)


def show_logs(level: int | str) -> None:
    """Set the ``streamchat`` logger's level; show its records on stderr if nothing else would."""
    log = logging.getLogger("streamchat")
    log.setLevel(level)
    with _log_handler_lock:
        if not logging.getLogger().handlers and not log.handlers:
            log.addHandler(_StderrLogHandler())
