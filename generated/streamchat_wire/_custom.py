"""Custom fields: the free keys that sit flat beside the declared ones on the wire (hand-written).

msgspec drops keys a struct does not declare, so models deriving from
:class:`~streamchat_wire._base.CustomFieldsStruct` carry an ``extra_data`` mapping instead.
After a decode, ``streamchat_core.custom_fields`` gives every such struct a
:class:`CustomFields` that knows where the struct sits in the frame. The keys are read only when
first asked for, from one parse of the frame that every struct decoded from it shares: the
first ``extra_data`` read parses the frame, every later one (of any struct of that frame) walks
the parsed tree. Reading eagerly would cost more than the typed decode itself, and most events
are handled without ever looking at a custom field.

Encoding. :func:`to_builtins` (behind ``to_dict()`` and ``streamchat_core.codec.encode``) puts
custom fields back flat. A plain ``msgspec.json.encode`` of a model that carries custom fields
cannot do that, so it raises a ``TypeError`` that names the encoder to use instead of writing an
internal key or the frame's bytes.
"""

from __future__ import annotations

from collections.abc import Collection, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any, Final, Union

import msgspec

__all__ = [
    "EXTRA_DATA_WIRE_NAME",
    "CustomFields",
    "Path",
    "leftover_keys",
    "new_frame_cell",
    "to_builtins",
]

# The wire name of the ``extra_data`` field. Custom fields sit flat on the wire, so this name
# never appears there: the codec fills the field from the leftover keys on decode and
# :func:`to_builtins` spreads it back flat. It only has to be a name no real payload uses.
EXTRA_DATA_WIRE_NAME: Final = "__streamchat_extra_data__"

Path = tuple[Union[str, int], ...]  # noqa: UP007 - evaluated at runtime on Python 3.10


class _ParsedFrame:
    """A frame's parse, shared by every :class:`CustomFields` of that frame.

    msgspec cannot encode this class, which is what makes a plain ``msgspec.json.encode`` of
    a model with custom fields fail with a message naming the right encoder (the class name
    below is that message), instead of writing the frame's bytes under an internal key.
    """

    __slots__ = ("tree",)

    def __init__(self, tree: Any) -> None:
        self.tree = tree


_ParsedFrame.__name__ = _ParsedFrame.__qualname__ = (
    "CustomFields (encode models with obj.to_dict() or streamchat_core.codec.encode(obj))"
)

# Not parsed yet. A frame cell is ``[frame, _UNPARSED]`` until the first read of a custom
# field replaces the second item by the frame's ``_ParsedFrame``.
_UNPARSED: Final = _ParsedFrame(None)
# The cell of custom fields given by hand: they are already resolved, there is no frame.
_NO_FRAME: Final[list[Any]] = [b"", _UNPARSED]


def new_frame_cell(frame: bytes) -> list[Any]:
    """The cell that every struct decoded from ``frame`` shares (a list: the cheapest to make)."""
    return [frame, _UNPARSED]


def _node(tree: Any, path: Iterable[str | int]) -> Any:
    for step in path:
        tree = tree[step]
    return tree


def leftover_keys(tree: Any, path: Iterable[str | int], known: Collection[str]) -> dict[str, Any]:
    """The keys of the JSON object at ``path`` in a parsed ``tree`` that are not in ``known``."""
    return {k: v for k, v in _node(tree, path).items() if k not in known}


class CustomFields(msgspec.Struct, gc=False, array_like=True):
    """The custom fields of a model: a read-only mapping, read from its frame on first access.

    It is a tiny msgspec struct rather than a plain class because one is made for every user,
    message, channel and event decoded, on the hot path (a struct is about three times
    cheaper to create). Build a new dict to change the fields:
    ``User(id=u.id, extra_data={**u.extra_data, "nickname": "J"})``.
    """

    cell: list[Any]
    path: Path
    known: frozenset[str]
    resolved: dict[str, Any] | None = None

    @classmethod
    def given(cls, fields: Mapping[str, Any]) -> Mapping[str, Any]:
        """Custom fields given by hand (a copy: later changes to ``fields`` do not leak in).

        Typed as the Mapping it is (``Mapping.register`` below: a msgspec struct cannot also
        derive from an ABC).
        """
        return cls(_NO_FRAME, (), frozenset(), dict(fields.items()))  # type: ignore[return-value]

    def _resolve(self) -> dict[str, Any]:
        data = self.resolved
        if data is None:
            # The parse, _node and leftover_keys inline: reading every message's custom fields of a
            # large response is this, hundreds of times, and each call costs as much as its work.
            cell = self.cell
            parsed = cell[1]
            if parsed is _UNPARSED:
                parsed = cell[1] = _ParsedFrame(msgspec.json.decode(cell[0]))
            node = parsed.tree
            for step in self.path:
                node = node[step]
            known = self.known
            data = self.resolved = {k: v for k, v in node.items() if k not in known}
        return data

    def detach(self) -> None:
        """Read the fields now and let go of the frame (for models kept long after decoding)."""
        self._resolve()
        self.cell = _NO_FRAME

    def __getitem__(self, key: str) -> Any:
        return self._resolve()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._resolve())

    def __len__(self) -> int:
        return len(self._resolve())

    def __contains__(self, key: object) -> bool:
        return key in self._resolve()

    def keys(self) -> KeysView[str]:
        return self._resolve().keys()

    def items(self) -> ItemsView[str, Any]:
        return self._resolve().items()

    def values(self) -> ValuesView[Any]:
        return self._resolve().values()

    def get(self, key: str, default: Any = None) -> Any:
        return self._resolve().get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._resolve() == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return repr(self._resolve())

    __hash__ = None  # type: ignore[assignment]


Mapping.register(CustomFields)


# ----------------------------------------------------------------------------- to builtins


class _Encoding:
    """One :func:`to_builtins` call: the frames met so far, each parsed at most once."""

    __slots__ = ("parsed", "trees")

    def __init__(self) -> None:
        self.parsed: list[_ParsedFrame] = []
        self.trees: dict[int, Any] = {}

    def hook(self, obj: Any) -> Any:
        if isinstance(obj, _ParsedFrame):
            # Stands in the array form of a CustomFields; _spread looks it up by index.
            self.parsed.append(obj)
            return len(self.parsed) - 1
        if isinstance(obj, Mapping):
            return dict(obj.items())
        to_dict = getattr(obj, "to_dict", None)
        if callable(to_dict):  # UnknownEvent and other hand-written models
            return to_dict()
        raise NotImplementedError(f"cannot encode {type(obj).__name__} objects")

    def custom_fields(self, array: list[Any]) -> dict[str, Any]:
        # The array form of a CustomFields: [[frame, parsed index], path, known, resolved].
        (frame, index), path, known, resolved = array
        if resolved is not None:
            return resolved  # type: ignore[no-any-return]
        parsed = self.parsed[index]
        tree = parsed.tree
        if parsed is _UNPARSED:
            tree = self.trees.get(id(frame))
            if tree is None:
                tree = self.trees[id(frame)] = msgspec.json.decode(frame)
        return leftover_keys(tree, path, frozenset(known))

    def spread(self, value: Any) -> Any:
        # msgspec.to_builtins writes extra_data under its placeholder name; put the custom
        # fields back flat. Declared fields win over a custom key of the same name.
        if isinstance(value, dict):
            extra = value.pop(EXTRA_DATA_WIRE_NAME, None)
            for key, item in value.items():
                if isinstance(item, (dict, list)):
                    value[key] = self.spread(item)
            if extra:
                if isinstance(extra, list):
                    extra = self.custom_fields(extra)
                for key, item in extra.items():
                    value.setdefault(key, item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, (dict, list)):
                    value[i] = self.spread(item)
        return value


def to_builtins(obj: Any) -> Any:
    """Plain Python values for a model (or anything holding models), custom fields flat.

    JSON-ready: datetimes become RFC 3339 strings, as on the wire. Raises ``TypeError`` for a
    value that has no JSON form.
    """
    if isinstance(obj, CustomFields):
        return dict(obj.items())
    encoding = _Encoding()
    try:
        # bytes stay bytes so that a frame reaches spread() undecoded.
        raw = msgspec.to_builtins(obj, builtin_types=(bytes,), enc_hook=encoding.hook)
    except (NotImplementedError, msgspec.EncodeError) as exc:
        raise TypeError(str(exc)) from None
    return encoding.spread(raw)
