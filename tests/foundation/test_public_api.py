"""The stated public surface: ``__all__`` of the packages, one version, one logger root, one meaning per name.

As httpx's ``test_exported_members``: a name joins or leaves ``streamchat_core`` only by
changing :data:`EXPECTED` here too.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import pathlib
import pkgutil
import re
from types import ModuleType
from typing import Any

import streamchat_core
import streamchat_wire
from streamchat_core import models
from streamchat_core.client import USER_AGENT

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "streamchat_core", ROOT / "generated" / "streamchat_wire", ROOT / "transports"]

EXPECTED = [
    "AccessKeyError",
    "BackoffPolicy",
    "Channel",
    "ChannelState",
    "ClientStats",
    "ConnectRequest",
    "ConnectTimeoutError",
    "ConnectionClosedError",
    "ConnectionIDNotFoundError",
    "ConnectionState",
    "CustomFields",
    "DEFAULT_BASE_URL",
    "DecodeError",
    "DeliveryReceipts",
    "ErrorCode",
    "Event",
    "EventStream",
    "ExponentialBackoff",
    "InputError",
    "InvalidTokenError",
    "InvalidUserError",
    "NotConnectedError",
    "OwnUser",
    "PrivacySettings",
    "ReadReceipts",
    "StreamAPIError",
    "StreamChatClient",
    "StreamChatError",
    "Subscription",
    "TokenExpiredError",
    "TokenNotValidYetError",
    "TokenProviderError",
    "TokenSignatureError",
    "TokenUsedBeforeIssuedError",
    "Transport",
    "TransportError",
    "TransportLoadError",
    "TypingEntry",
    "TypingIndicators",
    "TypingTimings",
    "UnknownEvent",
    "UpgradeRejectedError",
    "UsageError",
    "User",
    "available_transports",
    "dev_token",
    "models",
    "validate_user",
    "__version__",
]


def _public(module: ModuleType) -> set[str]:
    """The public names ``module`` binds, submodules left out (importing one binds it on its package)."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }


def test_streamchat_core_exports_exactly_its_stated_surface() -> None:
    assert streamchat_core.__all__ == EXPECTED
    assert len(set(EXPECTED)) == len(EXPECTED)
    assert all(hasattr(streamchat_core, name) for name in streamchat_core.__all__)
    # Every public name is in __all__ and nothing else is; `models` is the one submodule in it.
    assert _public(streamchat_core) == set(streamchat_core.__all__) - {"models", "__version__"}
    assert streamchat_core.models is models


def test_streamchat_wire_all_is_what_it_exports() -> None:
    assert len(set(streamchat_wire.__all__)) == len(streamchat_wire.__all__)
    assert _public(streamchat_wire) == set(streamchat_wire.__all__)
    star: dict[str, Any] = {}
    exec("from streamchat_wire import *", star)
    assert set(star) - {"__builtins__"} == set(streamchat_wire.__all__)
    # Every class the spec defines is exported; none of the generated file's own imports is.
    from streamchat_wire import _models

    defined = {
        name
        for name, value in vars(_models).items()
        if isinstance(value, type) and value.__module__ == _models.__name__
    }
    assert defined <= set(streamchat_wire.__all__)
    assert {"datetime", "field", "Annotated", "Any", "Literal", "Meta", "annotations"}.isdisjoint(
        streamchat_wire.__all__
    )


def test_models_is_the_wire_and_the_event_union() -> None:
    assert set(models.__all__) == set(streamchat_wire.__all__) | {"Event", "UnknownEvent"}
    assert _public(models) == set(models.__all__)
    assert all(getattr(models, name) is getattr(streamchat_wire, name) for name in streamchat_wire.__all__)


def _client_modules() -> list[ModuleType]:
    # The emulator's and the demo's names are not the client's surface (the emulator keeps its
    # own internal records of channels and messages).
    skip = {"demo", "__main__", "pytest_plugin", "emulator"}
    names = [info.name for info in pkgutil.iter_modules(streamchat_core.__path__) if info.name not in skip]
    return [streamchat_core, models, *(importlib.import_module(f"streamchat_core.{n}") for n in names)]


def test_a_name_means_one_thing_across_the_packages() -> None:
    # The wire's shapes of a channel take Stream's names, so that the client's own objects
    # keep theirs.
    assert {"ChannelResponse", "ChannelStateResponse"} <= set(streamchat_wire.__all__)
    assert {"Channel", "ChannelState"}.isdisjoint(streamchat_wire.__all__)
    assert streamchat_core.Channel.__module__ == "streamchat_core.channel"
    assert streamchat_core.ChannelState.__module__ == "streamchat_core.channel_state"
    collisions = []
    for module in _client_modules():
        for name in getattr(module, "__all__", _public(module)):
            if name in streamchat_wire.__all__ and getattr(module, name) is not getattr(
                streamchat_wire, name
            ):
                collisions.append(f"{module.__name__}.{name}")
    assert collisions == []


def test_one_version_source() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r"^version\s*=", pyproject, re.MULTILINE) is None, "the version is written in pyproject"
    assert 'dynamic = ["version"]' in pyproject
    assert 'path = "streamchat_core/_version.py"' in pyproject
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", streamchat_core.__version__)
    # The installed metadata was built from the same file (a stale editable install fails here).
    assert importlib.metadata.version("streamchat-core") == streamchat_core.__version__
    assert USER_AGENT.removeprefix("stream-chat-python-core-v") == streamchat_core.__version__
    readers = [
        f"{path.relative_to(ROOT)}"
        for source in SOURCES
        for path in source.rglob("*.py")
        if 'version("streamchat-core")' in path.read_text(encoding="utf-8")
    ]
    assert readers == []


def test_every_logger_is_under_streamchat() -> None:
    names: dict[str, str] = {}
    unnamed = []
    for source in SOURCES:
        for path in sorted(source.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "getLogger"
                    and node.args
                ):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names[where] = arg.value
                elif isinstance(arg, ast.Name) and arg.id == "__name__":
                    unnamed.append(where)  # a module path, not the streamchat root
                # Any other argument is a loop over the libraries' loggers (websockets,
                # uvicorn) that get a redacting filter: not a logger of this project.
    assert unnamed == []
    assert names, "no logger found: the scan would prove nothing"
    assert {w: n for w, n in names.items() if n != "streamchat" and not n.startswith("streamchat.")} == {}
    assert "streamchat.emulator" in names.values()
