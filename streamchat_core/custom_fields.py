"""Attaching custom fields to decoded models.

msgspec drops keys a struct does not declare, so models deriving from
``streamchat_wire.CustomFieldsStruct`` carry an ``extra_data`` mapping instead. After a decode,
an *attacher* gives every such struct in the value a :class:`CustomFields` that knows where the
struct sits in the frame; the keys are read only when first asked for, from one parse of the
frame shared by every struct decoded from it (``streamchat_wire._custom``).

Reading them eagerly would cost more than the typed decode itself (measured: about three
times), and most events are handled without ever looking at a custom field. The attachers are
compiled once per type from its annotations, with the path into the frame fixed at compile
time wherever no list or dict lies above, so the hot path only creates one small struct per
custom-fields model and sets one attribute.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any, Union

import msgspec

from streamchat_wire import EXTRA_DATA_WIRE_NAME, CustomFieldsStruct, UserStruct
from streamchat_wire._custom import CustomFields, Path, new_frame_cell

__all__ = [
    "Attacher",
    "CustomFields",
    "attacher",
    "detach",
    "detacher",
    "new_frame_cell",
    "wire_names",
]

# An attacher is called with a decoded value, its frame's cell (``new_frame_cell``) and the
# path of the value in the frame.
Attacher = Callable[[Any, list[Any], Path], None]


_wire_names: dict[type[msgspec.Struct], frozenset[str]] = {}


def wire_names(cls: type[msgspec.Struct]) -> frozenset[str]:
    """The keys that are not custom fields of ``cls``: those it declares, less the mirrored ones.

    A user's ``name`` and ``image`` are declared and also count as custom fields (as in
    Stream's Dart client), so they are left out here and read into ``extra_data`` too.
    """
    names = _wire_names.get(cls)
    if names is None:
        names = frozenset(f.encode_name for f in msgspec.structs.fields(cls)) | {EXTRA_DATA_WIRE_NAME}
        tag_field = cls.__struct_config__.tag_field
        if tag_field is not None:
            names |= {tag_field}
        if issubclass(cls, UserStruct):
            names -= set(cls.MIRRORED_FIELDS)
        _wire_names[cls] = names
    return names


_Key = tuple[Any, Union[Path, None]]  # noqa: UP007 - evaluated at runtime on Python 3.10
_attachers: dict[_Key, Attacher | None] = {}
_COMPILING: Any = object()  # the mark of an attacher being compiled
# Nested structs at most this deep below a static root are handled inline; deeper ones (and
# recursive ones, such as a message's quoted message) by a call to their dynamic attacher.
_INLINE_DEPTH = 3


def attacher(tp: Any, static: Path | None = ()) -> Attacher | None:
    """The attacher for values of type ``tp``, or None when no custom fields can be inside.

    ``static`` is the path from the frame's root to such values when it is known at compile
    time (``()`` for the root itself), and None below a list or dict, or deeper than inlining
    goes, where the caller passes the path at run time.
    """
    key = (tp, static)
    found = _attachers.get(key)
    if found is _COMPILING:
        return _late(key)  # a recursive reference: bound once its compilation is done
    if found is not None or key in _attachers:
        return found
    _attachers[key] = _COMPILING
    try:
        fn = _compile(tp, static)
    except BaseException:
        del _attachers[key]
        raise
    _attachers[key] = fn
    return fn


def _late(key: _Key) -> Attacher:
    def attach_late(value: Any, cell: list[Any], path: Path) -> None:
        fn = _attachers[key]
        if fn is not None and fn is not _COMPILING:
            fn(value, cell, path)

    return attach_late


_hints_cache: dict[type[msgspec.Struct], dict[str, Any]] = {}


def _hints(cls: type[msgspec.Struct]) -> dict[str, Any]:
    hints = _hints_cache.get(cls)
    if hints is None:
        hints = _hints_cache[cls] = typing.get_type_hints(cls)
    return hints


def _compile(tp: Any, static: Path | None) -> Attacher | None:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return attacher(args[0], static)
    if origin in (Union, types.UnionType):
        subs = [f for f in (attacher(a, static) for a in args) if f is not None]
        if len(subs) <= 1:
            return subs[0] if subs else None

        def attach_any(value: Any, cell: list[Any], path: Path) -> None:
            for sub in subs:  # each one checks the runtime type itself
                sub(value, cell, path)

        return attach_any
    if origin is list and args:
        item = attacher(args[0], None)
        if item is None:
            return None

        def attach_list(value: Any, cell: list[Any], path: Path) -> None:
            if value.__class__ is list:
                base = path if static is None else static
                for i, x in enumerate(value):
                    item(x, cell, (*base, i))

        return attach_list
    if origin is dict and len(args) == 2:
        val = attacher(args[1], None)
        if val is None:
            return None

        def attach_dict(value: Any, cell: list[Any], path: Path) -> None:
            if value.__class__ is dict:
                base = path if static is None else static
                for k, x in value.items():
                    val(x, cell, (*base, k))

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
    """Straight-line code that attaches the custom fields of a ``cls`` and of what it holds.

    With ``static``, the struct's place in the frame is fixed and every path below it is a
    constant; without, the caller passes the path and the code extends it. Nested structs are
    handled inline rather than by a call each: this is the per-event hot path (see the module
    docstring), where a call costs as much as the work it does. Lists, dicts, structs deeper
    than ``_INLINE_DEPTH`` and recursive ones call their own dynamic attacher, and only when
    the value is there.
    """
    if static is not None and attacher(cls, None) is None:
        return None  # nothing inside can carry custom fields
    names: dict[str, Any] = {"CustomFields": CustomFields}

    def name(obj: Any) -> str:
        key = f"_c{len(names)}"
        names[key] = obj
        return key

    def path_of(relative: Path) -> str:
        if static is not None:
            return name((*static, *relative))
        return "path" if not relative else f"(*path, {', '.join(map(repr, relative))},)"

    def emit(tp: type[msgspec.Struct], relative: Path, var: str, indent: str, depth: int) -> list[str]:
        # The lines that handle ``var``, already known to be exactly a ``tp``.
        out: list[str] = []
        if issubclass(tp, CustomFieldsStruct):
            out.append(
                f"{indent}{var}.extra_data = CustomFields(cell, {path_of(relative)}, {name(wire_names(tp))})"
            )
        hints = _hints(tp)
        for f in msgspec.structs.fields(tp):
            if f.name == "extra_data":
                continue
            child_path = (*relative, f.encode_name)
            nested = _single_struct(hints[f.name])
            child = f"v{depth + 1}"
            if nested is not None and depth < _INLINE_DEPTH and nested is not tp and nested is not cls:
                inner = emit(nested, child_path, child, indent + "    ", depth + 1)
                if inner:
                    out.append(f"{indent}{child} = {var}.{f.name}")
                    out.append(f"{indent}if {child}.__class__ is {name(nested)}:")
                    out.extend(inner)
            else:
                sub = attacher(hints[f.name], None)
                if sub is not None:
                    out.append(f"{indent}{child} = {var}.{f.name}")
                    out.append(f"{indent}if {child}:")
                    out.append(f"{indent}    {name(sub)}({child}, cell, {path_of(child_path)})")
        return out

    body = emit(cls, (), "v0", "        ", 0)
    if not body:
        return None
    lines = ["def attach(v0, cell, path):", f"    if v0.__class__ is {name(cls)}:", *body]
    namespace = dict(names)
    exec(compile("\n".join(lines), f"<custom-fields attacher for {cls.__name__}>", "exec"), namespace)
    return typing.cast(Attacher, namespace["attach"])


Detacher = Callable[[Any], None]
_detachers: dict[Any, Detacher | None] = {}


def detacher(tp: Any) -> Detacher | None:
    """The function that detaches the custom fields of values of type ``tp`` (see :func:`detach`).

    Compiled once per type from the same annotations as the attachers, visiting only the
    fields that can hold custom fields; None when nothing inside can.
    """
    if tp in _detachers:
        found = _detachers[tp]
        if found is _COMPILING:
            return lambda value: _detachers[tp](value)  # type: ignore[misc]  # recursive: bound later
        return found
    _detachers[tp] = _COMPILING
    try:
        fn = _compile_detacher(tp)
    except BaseException:
        del _detachers[tp]
        raise
    _detachers[tp] = fn
    return fn


def _compile_detacher(tp: Any) -> Detacher | None:
    if attacher(tp, None) is None:
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return detacher(args[0])
    if origin in (Union, types.UnionType):
        subs = [f for f in (detacher(a) for a in args) if f is not None]
        if len(subs) == 1:
            return subs[0]

        def detach_any(value: Any) -> None:
            for sub in subs:  # each one checks the runtime type itself
                sub(value)

        return detach_any
    if origin is list or origin is dict:
        item = detacher(args[-1])
        if item is None:
            return None

        def detach_items(value: Any) -> None:
            for x in value.values() if value.__class__ is dict else value:
                item(x)

        return detach_items
    if not (isinstance(tp, type) and issubclass(tp, msgspec.Struct)):
        return None
    hints = _hints(tp)
    names: dict[str, Any] = {"CustomFields": CustomFields, "cls": tp}
    lines = ["def detach(v):", "    if v.__class__ is cls:"]
    if issubclass(tp, CustomFieldsStruct):
        lines += [
            "        e = v.extra_data",
            "        if e.__class__ is CustomFields:",
            "            e.detach()",
        ]
    for f in msgspec.structs.fields(tp):
        if f.name == "extra_data":
            continue
        sub = detacher(hints[f.name])
        if sub is not None:
            key = f"_d{len(names)}"
            names[key] = sub
            lines += [f"        x = v.{f.name}", "        if x:", f"            {key}(x)"]
    namespace = dict(names)
    exec(compile("\n".join(lines), f"<custom-fields detacher for {tp.__name__}>", "exec"), namespace)
    return typing.cast(Detacher, namespace["detach"])


def detach(value: Any) -> None:
    """Read the custom fields of every model in ``value`` now and let go of their frames.

    For models kept long after decoding (a channel's state): a lazily read custom field keeps
    its whole frame alive, and the frame of a query response is large (about 150 KiB for a
    200-member channel). The fields of one frame still come from one parse of it.
    """
    if isinstance(value, (list, tuple)):
        for item in value:
            detach(item)
    elif isinstance(value, dict):
        for item in value.values():
            detach(item)
    elif isinstance(value, msgspec.Struct):
        fn = detacher(type(value))
        if fn is not None:
            fn(value)
