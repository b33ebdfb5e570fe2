"""The optional parts of streamchat-core, and the extra that installs what each one needs.

``pip install streamchat-core`` is the client with its default transports under asyncio.
``[trio]`` adds what the websocket transport needs under trio; ``[emulator]`` adds the local
server (``streamchat_core.emulator``, ``streamchat emulator``, ``streamchat demo`` and the
``streamchat_emulator`` pytest fixture). Using a part without its extra raises
:class:`MissingExtraError`, whose message is one line naming the extra to install.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Final

__all__ = ["EXTRAS", "MissingExtraError", "require_extra"]

#: The modules each extra brings, by import name (the test of the extras checks them against
#: the package's metadata, so that this table and pyproject.toml cannot drift apart).
EXTRAS: Final[Mapping[str, tuple[str, ...]]] = {
    "trio": ("trio", "trio_websocket", "wsproto", "h11"),
    "emulator": ("starlette", "uvicorn", "h11", "jwt"),
}


class MissingExtraError(ImportError):
    """A part of streamchat-core was used without the extra that installs what it needs.

    An :class:`ImportError` (``name`` is the missing module), not a ``StreamChatError``: it is
    fixed by an install, not by retrying.
    """

    def __init__(self, what: str, extra: str, missing: str) -> None:
        super().__init__(
            f"{what} needs the [{extra}] extra ({missing} is not installed): "
            f"pip install 'streamchat-core[{extra}]'",
            name=missing,
        )
        self.extra = extra


def require_extra(extra: str, what: str) -> None:
    """Raise :class:`MissingExtraError` naming ``what`` unless every module of ``extra`` is installed.

    Looks the modules up without importing them, so it costs nothing where they are present.
    """
    for module in EXTRAS[extra]:
        if importlib.util.find_spec(module) is None:
            raise MissingExtraError(what, extra, module)
