"""Custom fields: the free keys that sit flat beside the declared ones on the wire.

msgspec drops keys a struct does not declare, so models deriving from
``streamchat_wire.CustomFieldsStruct`` carry an ``extra_data`` mapping instead. After a decode,
an *attacher* gives every such struct in the value a :class:`CustomFields` that knows where the
struct sits in the frame; the keys are read from the frame only when first asked for.

Reading them eagerly would cost more than the typed decode itself (measured: about three
times), and most events are handled without ever looking at a custom field. The attachers are
compiled once per type from its annotations, with the path into the frame fixed at compile
time wherever no list or dict lies above, so the hot path only creates one small struct per
custom-fields model and sets one attribute.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Collection, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any, Union

import msgspec

from streamchat_wire import EXTRA_DATA_WIRE_NAME, CustomFieldsStruct

__all__ = ["CustomFields", "attacher", "leftover_keys", "wire_names"]

Path = tuple[Union[str, int], ...]  # noqa: UP007 - evaluated at runtime on Python 3.10
Attacher = Callable[[Any, bytes, Path], None]


class CustomFields(msgspec.Struct, gc=False, array_like=True):
    """The custom fields of a decoded model, read from its frame on first access.

    A read-only mapping. It is a tiny msgspec struct rather than a plain class because one is
    made for every user, message, channel and event decoded, on the hot path (a struct is
    about three times cheaper to create). ``array_like`` gives it an encoded form that cannot
    be mistaken for custom fields given by hand, which are always a mapping (see
    ``codec._spread``). Build a new dict to change the fields:
    ``{**user.extra_data, "name": "Jane"}``.
    """

    frame: bytes
    path: Path
    known: frozenset[str]
    resolved: dict[str, Any] | None = None

    def _resolve(self) -> dict[str, Any]:
        data = self.resolved
        if data is None:
            data = self.resolved = leftover_keys(self.frame, self.path, self.known)
        return data

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
        return f"CustomFields({self._resolve()!r})"

    __hash__ = None  # type: ignore[assignment]


Mapping.register(CustomFields)


def leftover_keys(frame: bytes, path: Iterable[str | int], known: Collection[str]) -> dict[str, Any]:
    """The keys of the JSON object at ``path`` in ``frame`` that are not in ``known``."""
    node = msgspec.json.decode(frame)
    for step in path:
        node = node[step]
    return {k: v for k, v in node.items() if k not in known}


_wire_names: dict[type[msgspec.Struct], frozenset[str]] = {}


def wire_names(cls: type[msgspec.Struct]) -> frozenset[str]:
    """The keys a struct declares on the wire; every other key is a custom field."""
    names = _wire_names.get(cls)
    if names is None:
        names = frozenset(f.encode_name for f in msgspec.structs.fields(cls)) | {EXTRA_DATA_WIRE_NAME}
        tag_field = cls.__struct_config__.tag_field
        if tag_field is not None:
            names |= {tag_field}
        _wire_names[cls] = names
    return names


_attachers: dict[tuple[Any, Path | None], Attacher | None] = {}


def attacher(tp: Any, static: Path | None = ()) -> Attacher | None:
    """The attacher for values of type ``tp``, or None when no custom fields can be inside.

    ``static`` is the path from the frame's root to such values when it is known at compile
    time (``()`` for the root itself), and None below a list or dict, where the caller passes
    the path at run time.
    """
    key = (tp, static)
    if key in _attachers:
        return _attachers[key]
    _attachers[key] = None  # a recursive reference sees "nothing to do" while compiling
    fn = _compile(tp, static)
    _attachers[key] = fn
    return fn


def _child(static: Path | None, step: str) -> Path | None:
    return None if static is None else (*static, step)


def _compile(tp: Any, static: Path | None) -> Attacher | None:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return attacher(args[0], static)
    if origin in (Union, types.UnionType):
        subs = [f for f in (attacher(a, static) for a in args) if f is not None]
        if len(subs) <= 1:
            return subs[0] if subs else None

        def attach_any(value: Any, frame: bytes, path: Path) -> None:
            for sub in subs:  # each one checks the runtime type itself
                sub(value, frame, path)

        return attach_any
    if origin is list and args:
        item = attacher(args[0], None)
        if item is None:
            return None

        def attach_list(value: Any, frame: bytes, path: Path) -> None:
            if value.__class__ is list:
                base = path if static is None else static
                for i, x in enumerate(value):
                    item(x, frame, (*base, i))

        return attach_list
    if origin is dict and len(args) == 2:
        val = attacher(args[1], None)
        if val is None:
            return None

        def attach_dict(value: Any, frame: bytes, path: Path) -> None:
            if value.__class__ is dict:
                base = path if static is None else static
                for k, x in value.items():
                    val(x, frame, (*base, k))

        return attach_dict
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct) and tp is not CustomFields:
        return _compile_struct(tp, static)
    return None


def _single_struct(tp: Any) -> type[msgspec.Struct] | None:
    """The struct class of an annotation like ``User | None | UnsetType``, if it is the only one."""
    if typing.get_origin(tp) is typing.Annotated:
        return _single_struct(typing.get_args(tp)[0])
    candidates = typing.get_args(tp) if typing.get_origin(tp) in (Union, types.UnionType) else (tp,)
    structs = [a for a in candidates if isinstance(a, type) and issubclass(a, msgspec.Struct)]
    others = [a for a in candidates if a not in structs and a not in (type(None), msgspec.UnsetType)]
    return structs[0] if len(structs) == 1 and not others else None


def _compile_struct(cls: type[msgspec.Struct], static: Path | None) -> Attacher | None:
    if static is not None:
        return _compile_static(cls, static)
    hints = typing.get_type_hints(cls)
    children: list[tuple[str, str, Attacher]] = []
    for f in msgspec.structs.fields(cls):
        if f.name != "extra_data":
            sub = attacher(hints[f.name], None)
            if sub is not None:
                children.append((f.name, f.encode_name, sub))
    custom = issubclass(cls, CustomFieldsStruct)
    if not custom and not children:
        return None
    known = wire_names(cls)

    def attach_dynamic(value: Any, frame: bytes, path: Path) -> None:
        if value.__class__ is cls:
            if custom:
                value.extra_data = CustomFields(frame, path, known)  # type: ignore[attr-defined]  # narrowed to Struct
            for attr, step, sub in children:
                sub(getattr(value, attr), frame, (*path, step))

    return attach_dynamic


def _compile_static(cls: type[msgspec.Struct], static: Path) -> Attacher | None:
    """Straight-line code for a struct whose place in the frame is fixed.

    Every path below it is a constant, and nested structs are handled inline rather than by
    a call each: this is the per-event hot path (see the module docstring), where a call
    costs as much as the work it does. Lists and dicts below call their own attacher.
    """
    if attacher(cls, None) is None:  # nothing inside can carry custom fields
        return None
    names: dict[str, Any] = {"CustomFields": CustomFields}

    def name(obj: Any) -> str:
        key = f"_c{len(names)}"
        names[key] = obj
        return key

    def emit(tp: type[msgspec.Struct], path: Path, var: str, indent: str, depth: int) -> list[str]:
        # The lines that handle ``var``, already known to be exactly a ``tp``.
        out: list[str] = []
        if issubclass(tp, CustomFieldsStruct):
            out.append(
                f"{indent}{var}.extra_data = CustomFields(frame, {name(path)}, {name(wire_names(tp))})"
            )
        hints = typing.get_type_hints(tp)
        for f in msgspec.structs.fields(tp):
            if f.name == "extra_data":
                continue
            child_path = (*path, f.encode_name)
            nested = _single_struct(hints[f.name])
            if nested is not None and depth < 8:
                if attacher(nested, None) is None:
                    continue
                child = f"v{depth + 1}"
                out.append(f"{indent}{child} = {var}.{f.name}")
                out.append(f"{indent}if {child}.__class__ is {name(nested)}:")
                out.extend(emit(nested, child_path, child, indent + "    ", depth + 1))
            else:
                sub = attacher(hints[f.name], child_path)
                if sub is not None:
                    out.append(f"{indent}{name(sub)}({var}.{f.name}, frame, ())")
        return out or [f"{indent}pass"]

    lines = [
        "def attach(v0, frame, path):",
        f"    if v0.__class__ is {name(cls)}:",
        *emit(cls, static, "v0", "        ", 0),
    ]
    namespace = dict(names)
    exec(compile("\n".join(lines), f"<custom-fields attacher for {cls.__name__}>", "exec"), namespace)
    return typing.cast(Attacher, namespace["attach"])
