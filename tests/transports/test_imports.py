"""Transports import from the core the contract module only, so the seam cannot erode.

Every module of ``streamchat_transports`` (and the test plugin) is parsed with ``ast``: any
import of a ``streamchat_core`` module other than ``streamchat_core.transport``, or of the
generated wire models, fails, wherever it stands (``TYPE_CHECKING`` blocks, functions, and
``importlib.import_module("…")`` calls with a literal name included).
"""

from __future__ import annotations

import pathlib

import pytest
from import_scan import imports
from transport_helpers import PLUGIN_PATH

ROOT = pathlib.Path(__file__).parents[2]
PACKAGE = ROOT / "transports" / "streamchat_transports"
MODULES = sorted(PACKAGE.rglob("*.py")) + sorted(PLUGIN_PATH.glob("*.py"))
ALLOWED = "streamchat_core.transport"


def imported_modules(source: str) -> list[str]:
    """Every module ``source`` imports, absolute (``from pkg import mod`` names ``pkg.mod``)."""
    return [found.module for found in imports(source)]


def forbidden(source: str) -> list[str]:
    """The modules of the core (and of the wire models) ``source`` imports, other than the contract."""
    return [
        name
        for name in imported_modules(source)
        if name.split(".")[0] in ("streamchat_core", "streamchat_wire") and name != ALLOWED
    ]


def test_the_checker_catches_every_way_of_reaching_into_the_core() -> None:
    assert forbidden("from streamchat_core.transport import ConnectRequest, redact") == []
    assert forbidden("from streamchat_core import transport") == []
    assert forbidden("import streamchat_core.transport") == []
    assert forbidden("import httpx, msgspec, anyio\nfrom websockets.exceptions import InvalidStatus") == []
    assert forbidden("from streamchat_core import codec, transport") == ["streamchat_core.codec"]
    assert forbidden("from streamchat_core.rest import shared_ssl_context") == ["streamchat_core.rest"]
    assert forbidden("import streamchat_core") == ["streamchat_core"]
    assert forbidden("import streamchat_core.session as s") == ["streamchat_core.session"]
    assert forbidden(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import streamchat_core.connection"
    ) == ["streamchat_core.connection"]
    assert forbidden("def f():\n    from streamchat_core.errors import DecodeError") == [
        "streamchat_core.errors"
    ]
    assert forbidden("import importlib\nimportlib.import_module('streamchat_core.codec')") == [
        "streamchat_core.codec"
    ]
    assert forbidden("import streamchat_wire as wire") == ["streamchat_wire"]


def test_every_transport_module_is_checked() -> None:
    names = {path.name for path in MODULES}
    assert {"__init__.py", "websocket.py", "longpoll.py", "memory.py", "streamchat_test_relay.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_transport_imports_only_the_contract_from_the_core(path: pathlib.Path) -> None:
    assert forbidden(path.read_text()) == [], (
        f"{path.relative_to(ROOT)} reaches past streamchat_core.transport"
    )
