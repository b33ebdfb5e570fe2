"""Hypothesis strategies for the generated wire models, built from their annotations."""

from __future__ import annotations

import datetime
import types
import typing
from collections.abc import Mapping
from typing import Any, Union

import msgspec
from hypothesis import strategies as st

from streamchat_core.custom_fields import wire_names

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
aware_datetimes = st.datetimes(
    min_value=datetime.datetime(1970, 1, 1),
    max_value=datetime.datetime(2200, 1, 1),
    timezones=st.just(datetime.timezone.utc),
)


def extra_data_for(cls: type[msgspec.Struct]) -> st.SearchStrategy[dict[str, Any]]:
    """Custom fields: any JSON values under keys the struct does not declare.

    A user's ``name`` and ``image`` are declared fields that are also read into ``extra_data``;
    giving them in both places is tested on its own, so they are left out here.
    """
    declared = wire_names(cls) | set(getattr(cls, "MIRRORED_FIELDS", ()))
    return st.dictionaries(text.filter(lambda k: k not in declared), json_values, max_size=4)


def strategy_for(
    tp: Any, owner: type[msgspec.Struct] | None = None, depth: int = 0
) -> st.SearchStrategy[Any]:
    """Values of annotation ``tp``; ``depth`` is how many structs lie above (see struct_strategy)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return json_values
    if origin is typing.Annotated:
        return strategy_for(args[0], owner, depth)
    if origin in (Union, types.UnionType):
        return st.one_of([strategy_for(a, owner, depth) for a in args])
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(strategy_for(args[0], owner, depth), max_size=3)
    if origin is dict:
        return st.dictionaries(text, strategy_for(args[1], owner, depth), max_size=3)
    if origin is Mapping and owner is not None:
        return extra_data_for(owner)
    if tp is type(None):
        return st.none()
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(-(2**63), 2**63 - 1)
    if tp is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if tp is str:
        return text
    if tp is datetime.datetime:
        return aware_datetimes
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return struct_strategy(tp, depth + 1)
    raise NotImplementedError(f"no strategy for {tp!r}")


# Below this many nested structs only the required fields are drawn: the models are recursive
# (a message quotes a message) and wide, so drawing every field at every depth never ends.
_FULL_DEPTH = 2


def struct_strategy(cls: type[msgspec.Struct], depth: int = 0) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    fields = {
        f.name: st.deferred(lambda h=hints[f.name]: strategy_for(h, cls, depth))
        for f in msgspec.structs.fields(cls)
        if f.required or depth < _FULL_DEPTH
    }
    return st.builds(cls, **fields)
