"""Finding transports: the ``streamchat.transports`` entry-point group.

The core never imports a transport module directly. The built-in transports (``websocket``,
``longpoll``) are registered through this project's own entry points, exactly like
a third party's, so a third-party transport is a first-class citizen. An entry point's name is
the transport's name; its value is a class (or a zero-argument factory) implementing
:class:`~streamchat_core.transport.Transport`.

- :func:`available_transports` lists the names of the transports that load. A plugin that fails
  to import is skipped with a :class:`RuntimeWarning` naming its distribution.
- :func:`load_transport` loads one by name; a broken plugin raises
  :class:`~streamchat_core.errors.TransportLoadError` chained to the original error.
- :func:`resolve_transport` turns what users pass in ``transports=`` (a name, a class or an
  instance) into a transport instance.

Reading entry points costs milliseconds, so the list is read once and cached; call
:func:`refresh_transports` after installing a plugin at run time.
"""

from __future__ import annotations

import importlib.metadata
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Final

from streamchat_core.errors import TransportLoadError
from streamchat_core.transport import Transport

__all__ = [
    "GROUP",
    "available_transports",
    "load_transport",
    "refresh_transports",
    "TransportSpec",
    "resolve_chain",
    "resolve_transport",
]

GROUP: Final = "streamchat.transports"
_OWN_DISTRIBUTION: Final = "streamchat-core"

# Used when the package's metadata is missing (an odd install), so the built-ins still work.
_BUILTINS: Final = {
    "websocket": "streamchat_transports.websocket:WebSocketTransport",
    "longpoll": "streamchat_transports.longpoll:LongPollTransport",
}


class _Entry:
    __slots__ = ("distribution", "name", "value")

    def __init__(self, name: str, value: str, distribution: str) -> None:
        self.name = name
        self.value = value
        self.distribution = distribution

    def load(self) -> Any:
        module_name, _, attr = self.value.partition(":")
        module = importlib.import_module(module_name.strip())
        obj: Any = module
        for part in attr.strip().split(".") if attr.strip() else ():
            obj = getattr(obj, part)
        return obj

    def describe(self) -> str:
        return f"{self.name} = {self.value} (from {self.distribution})"


_entries_cache: dict[str, _Entry] | None = None
_loaded: dict[str, Any] = {}
_failed: dict[str, BaseException] = {}
# Instances made from names, shared by every client: transports hold no per-connection state.
_instances: dict[str, Transport] = {}


def refresh_transports() -> None:
    """Forget what was read and loaded: read the entry points again on next use."""
    global _entries_cache
    _entries_cache = None
    _loaded.clear()
    _failed.clear()
    _instances.clear()


def _entries() -> dict[str, _Entry]:
    global _entries_cache
    if _entries_cache is not None:
        return _entries_cache
    found: dict[str, _Entry] = {}
    for ep in importlib.metadata.entry_points(group=GROUP):
        dist = ep.dist.name if ep.dist is not None else "an unknown distribution"
        entry = _Entry(ep.name, ep.value, dist)
        previous = found.get(ep.name)
        if previous is None:
            found[ep.name] = entry
            continue
        if previous.value == entry.value:
            continue  # the same package seen twice on sys.path
        keep = entry if dist == _OWN_DISTRIBUTION else previous
        warnings.warn(
            f"two transports are named {ep.name!r}: {previous.describe()} and {entry.describe()}; "
            f"using {keep.value}",
            RuntimeWarning,
            stacklevel=3,
        )
        found[ep.name] = keep
    for name, value in _BUILTINS.items():
        found.setdefault(name, _Entry(name, value, _OWN_DISTRIBUTION))
    _entries_cache = found
    return found


def _load(entry: _Entry) -> Any:
    if entry.name in _loaded:
        return _loaded[entry.name]
    if entry.name in _failed:
        raise _failed[entry.name]
    try:
        obj = entry.load()
    except Exception as exc:
        _failed[entry.name] = exc
        raise
    _loaded[entry.name] = obj
    return obj


def available_transports() -> list[str]:
    """The names of the transports that can be used, built-ins first.

    Each plugin is imported once to check it loads; one that does not is skipped with a
    :class:`RuntimeWarning`.
    """
    names = []
    for name, entry in _entries().items():
        try:
            _load(entry)
        except Exception as exc:
            warnings.warn(
                f"skipping the transport plugin {entry.describe()}: {type(exc).__name__}: {exc}",
                RuntimeWarning,
                stacklevel=2,
            )
            continue
        names.append(name)
    builtins = [n for n in _BUILTINS if n in names]
    return builtins + sorted(n for n in names if n not in _BUILTINS)


def load_transport(name: str) -> Any:
    """The class (or factory) registered under ``name``.

    Raises :class:`TransportLoadError` when no transport has that name, or when its plugin
    fails to import (the original error is the ``__cause__``).
    """
    entries = _entries()
    entry = entries.get(name)
    if entry is None:
        known = ", ".join(sorted(entries)) or "none"
        raise TransportLoadError(f"no transport is named {name!r}; installed transports: {known}")
    try:
        return _load(entry)
    except Exception as exc:
        raise TransportLoadError(
            f"the transport {entry.describe()} could not be loaded: {type(exc).__name__}: {exc}"
        ) from exc


def resolve_transport(spec: object) -> Transport:
    """A transport instance from a name, a class or factory, or an instance.

    A name gives the same instance every time (transports are stateless and reusable).
    """
    if isinstance(spec, str):
        name = spec
        instance = _instances.get(name)
        if instance is None:
            instance = _instances[name] = resolve_transport(load_transport(name))
        return instance
    if isinstance(spec, type) or (callable(spec) and not _is_transport(spec)):
        try:
            spec = spec()
        except Exception as exc:
            raise TransportLoadError(
                f"creating the transport {spec!r} failed: {type(exc).__name__}: {exc}"
            ) from exc
    if not _is_transport(spec):
        raise TypeError(f"{spec!r} is not a transport: it needs a `name` and a `connect(request)` method")
    _warn_if_legacy(spec)
    return spec  # type: ignore[return-value]


def _is_transport(obj: object) -> bool:
    return (
        not isinstance(obj, type)
        and isinstance(getattr(obj, "name", None), str)
        and callable(getattr(obj, "connect", None))
    )


def _warn_if_legacy(transport: object) -> None:
    # Before keep-alive became the KeepAlive protocol, a transport declared it with
    # ``capabilities = frozenset({"ping"})`` and every connection had a ``send``. The one such
    # transport that now behaves differently is one that did not declare it: its connections
    # are pinged from now on.
    capabilities = getattr(transport, "capabilities", None)
    if isinstance(capabilities, (frozenset, set)) and "ping" not in capabilities:
        warnings.warn(
            f"the transport {transport!r} declares `capabilities`, which is no longer read: the "
            "connections it opens are kept alive with pings when they have a `send` method "
            "(streamchat_core.transport.KeepAlive); remove `send` from connections the server "
            "does not keep alive",
            RuntimeWarning,
            stacklevel=3,
        )


#: What ``transports=`` takes: a name, a class or zero-argument factory, or an instance.
TransportSpec = str | type | Transport | Callable[[], Transport]


def resolve_chain(
    transports: Sequence[TransportSpec] | TransportSpec | None, enable_ws_fallback: bool
) -> list[Transport]:
    """The client's transport chain, in order of preference, from its ``transports=`` argument.

    ``None`` means ``["websocket"]``; one spec means a chain of one. ``enable_ws_fallback``
    adds ``"longpoll"`` at the end unless it is there. A transport named twice is refused.
    """
    specs: list[Any]
    if transports is None:
        specs = ["websocket"]
    elif isinstance(transports, (str, type)) or not isinstance(transports, Sequence):
        specs = [transports]
    else:
        specs = list(transports)
    if not specs:
        raise ValueError("transports must name at least one transport")
    chain = [resolve_transport(spec) for spec in specs]
    if enable_ws_fallback and not any(t.name == "longpoll" for t in chain):
        chain.append(resolve_transport("longpoll"))
    names = [t.name for t in chain]
    if len(set(names)) != len(names):
        raise ValueError(f"a transport appears twice in transports: {names}")
    return chain
