"""Stream's filter and sort language, over plain records (users, channels).

Filters: a field's value or ``{"$eq"|"$ne"|"$in"|"$nin"|"$gt"|"$gte"|"$lt"|"$lte"|"$exists": …}``,
combined with ``$and`` and ``$or``; a list-valued field (``members``, ``teams``) matches when any
of its items does. Sorts: ``[(field, 1 | -1), …]``; records without the field come last.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec

from streamchat_core.emulator.errors import INPUT, RequestError

__all__ = ["compile_filter", "sort_records"]

Record = Mapping[str, Any]
_Matcher = Callable[[Record], bool]


def sort_records(
    records: list[dict[str, Any]], order: Sequence[tuple[str, int]], *, tie_break: str
) -> list[dict[str, Any]]:
    """``records`` sorted by ``order`` then ``tie_break`` ascending; code 4 for a bad direction."""
    for _, direction in order:
        if direction not in (1, -1):
            raise RequestError(INPUT, 400, f"sort direction must be 1 or -1, not {direction}")
    found = list(records)
    for name, direction in reversed([*order, (tie_break, 1)]):  # stable sorts, least significant first
        keyed = [(_sortable(r.get(name)), r) for r in found]
        present = [(k, r) for k, r in keyed if k is not None]
        present.sort(key=lambda pair: pair[0], reverse=direction == -1)
        found = [r for _, r in present] + [r for k, r in keyed if k is None]
    return found


def _sortable(value: Any) -> tuple[int, Any] | None:
    # Values of different JSON types sort by type first, so that a mixed field cannot raise.
    if value is None:
        return None
    if isinstance(value, bool):
        return (0, value)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, msgspec.json.encode(value))


def compile_filter(conditions: Any) -> _Matcher:
    """A predicate for a Stream filter object; raises :class:`RequestError` (code 4) when it is malformed."""
    if not isinstance(conditions, Mapping):
        raise RequestError(INPUT, 400, "a filter must be a JSON object")
    parts: list[_Matcher] = []
    for key, cond in conditions.items():
        if key in ("$and", "$or"):
            if not isinstance(cond, list) or not cond:
                raise RequestError(INPUT, 400, f"{key} needs a non-empty list of filters")
            subs = [compile_filter(c) for c in cond]
            if key == "$and":
                parts.append(lambda r, s=subs: all(f(r) for f in s))  # type: ignore[misc]
            else:
                parts.append(lambda r, s=subs: any(f(r) for f in s))  # type: ignore[misc]
        elif key.startswith("$"):
            raise RequestError(INPUT, 400, f"unsupported filter operator {key!r} at the top level")
        else:
            parts.append(_field_matcher(key, cond))
    return lambda r: all(p(r) for p in parts)


def _field_matcher(name: str, cond: Any) -> _Matcher:
    if not isinstance(cond, Mapping):
        return lambda r: _equal(r.get(name), cond)
    tests: list[Callable[[Any, bool], bool]] = []
    for op, operand in cond.items():
        if op == "$eq":
            tests.append(lambda v, present, o=operand: present and _equal(v, o))  # type: ignore[misc]
        elif op == "$ne":
            tests.append(lambda v, present, o=operand: not (present and _equal(v, o)))  # type: ignore[misc]
        elif op in ("$in", "$nin"):
            if not isinstance(operand, list):
                raise RequestError(INPUT, 400, f"{op} on {name!r} needs a list")
            if op == "$in":
                tests.append(lambda v, present, o=operand: present and _contained(v, o))  # type: ignore[misc]
            else:
                tests.append(lambda v, present, o=operand: not (present and _contained(v, o)))  # type: ignore[misc]
        elif op in ("$gt", "$gte", "$lt", "$lte"):
            key = _sortable(operand)
            if key is None:
                raise RequestError(INPUT, 400, f"{op} on {name!r} needs a value")
            tests.append(lambda v, present, k=key, o=op: present and _compare(_sortable(v), k, o))  # type: ignore[misc]
        elif op == "$exists":
            if not isinstance(operand, bool):
                raise RequestError(INPUT, 400, f"$exists on {name!r} needs true or false")
            tests.append(lambda v, present, o=operand: present == o)  # type: ignore[misc]
        else:
            raise RequestError(INPUT, 400, f"unsupported filter operator {op!r} on {name!r}")
    if not tests:
        raise RequestError(INPUT, 400, f"the filter on {name!r} is an empty object")

    def match(r: Mapping[str, Any]) -> bool:
        present = name in r and r[name] is not None
        value = r.get(name)
        return all(t(value, present) for t in tests)

    return match


def _equal(value: Any, operand: Any) -> bool:
    if isinstance(value, list) and not isinstance(operand, list):
        return any(_equal(v, operand) for v in value)  # {"teams": "red"} matches a list holding it
    if isinstance(value, bool) or isinstance(operand, bool):
        return type(value) is type(operand) and value == operand
    return bool(value == operand)


def _contained(value: Any, operands: list[Any]) -> bool:
    return any(_equal(value, o) for o in operands)


def _compare(left: tuple[int, Any] | None, right: tuple[int, Any], op: str) -> bool:
    if left is None or left[0] != right[0]:
        return False
    if op == "$gt":
        return bool(left > right)
    if op == "$gte":
        return bool(left >= right)
    if op == "$lt":
        return bool(left < right)
    return bool(left <= right)
