"""Hand-written bases for the generated wire models (the generator never touches this file).

``scripts/regen`` passes ``--base-class streamchat_wire._base.WireStruct``; schemas marked with
``customBasePath`` in ``spec/`` derive from :class:`CustomFieldsStruct`, :class:`UserStruct`
(users) or :class:`EventStruct` (events) instead.

Optional fields are ``None`` when absent (a ``null`` on the wire reads the same) and are left
off the wire when encoded, as Stream's clients leave them off.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec

from streamchat_wire._custom import EXTRA_DATA_WIRE_NAME, CustomFields, to_builtins

__all__ = ["EXTRA_DATA_WIRE_NAME", "CustomFieldsStruct", "EventStruct", "UserStruct", "WireStruct"]

# repr() shows at most this many characters of one field's value.
_REPR_VALUE_LIMIT = 200


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _REPR_VALUE_LIMIT else text[: _REPR_VALUE_LIMIT - 1] + "…"


class WireStruct(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """Base of every generated model.

    ``kw_only`` because generated field order is not an API; ``omit_defaults`` so that absent
    (``None``) fields stay off the wire; ``gc=False`` because decoded models form trees, never
    cycles, and untracked structs are cheaper to make and to collect around (measured: about
    10 % of a decode). Do not make a model hold itself.
    """

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready builtins in the wire's shape: custom fields flat, absent fields left out."""
        value: dict[str, Any] = to_builtins(self)
        return value

    def _repr_fields(self) -> list[str]:
        parts = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if value is None or name == "extra_data":
                continue
            parts.append(f"{name}={_short(value)}")
        return parts

    def __repr__(self) -> str:
        """Only the fields that are present (``None`` ones are left out)."""
        return f"{type(self).__name__}({', '.join(self._repr_fields())})"

    @property
    def type_tag(self) -> str | None:
        """Deprecated: use ``event.type``. The ``type`` tag of an event, ``None`` for other models."""
        warnings.warn("type_tag is deprecated: use event.type", DeprecationWarning, stacklevel=2)
        tag = self.__struct_config__.tag
        return tag if isinstance(tag, str) else None


class CustomFieldsStruct(WireStruct, kw_only=True, omit_defaults=True):
    """A model whose free custom fields sit flat beside the declared ones on the wire.

    ``extra_data`` holds only those custom fields: a read-only mapping that a decode fills
    lazily from the frame (see ``streamchat_wire._custom``); given by hand, it is copied.
    ``to_dict()`` and ``streamchat_core.codec.encode`` spread it back flat.
    """

    extra_data: Mapping[str, Any] = msgspec.field(default_factory=dict, name=EXTRA_DATA_WIRE_NAME)

    def __post_init__(self) -> None:
        # A decode leaves the empty default here (the codec attaches the frame's fields
        # afterwards), so this costs one check on the hot path. Fields given by hand are
        # wrapped so that a plain msgspec encode refuses them rather than nesting them.
        extra = self.extra_data
        if extra and not isinstance(extra, CustomFields):
            self.extra_data = CustomFields.given(extra)

    def _repr_fields(self) -> list[str]:
        parts = super()._repr_fields()
        if self.extra_data:
            parts.append(f"extra_data={_short(dict(self.extra_data.items()))}")
        return parts


class UserStruct(CustomFieldsStruct, kw_only=True, omit_defaults=True):
    """A user: ``name`` and ``image`` are fields, and may also be given in ``extra_data``.

    As in Stream's Dart client, ``name`` and ``image`` count as custom fields on the wire, so a
    decoded user has them in ``extra_data`` too (``me.extra_data["name"]``), and
    ``User(id="john", extra_data={"name": "John Doe"})`` means ``User(id="john", name="John
    Doe")``: ``user.name`` reads it either way. The field wins where both are given.
    """

    #: Fields that also live in ``extra_data``.
    MIRRORED_FIELDS: ClassVar[tuple[str, ...]] = ("name", "image")

    def __post_init__(self) -> None:
        extra = self.extra_data
        if extra and not isinstance(extra, CustomFields):
            self.extra_data = extra = CustomFields.given(extra)
            for key in self.MIRRORED_FIELDS:
                if getattr(self, key, None) is None:
                    value = extra.get(key)
                    if isinstance(value, str):
                        setattr(self, key, value)


class EventStruct(CustomFieldsStruct, kw_only=True, omit_defaults=True):
    """Base of every event model: each is tagged on ``type`` and carries custom fields.

    The tag is not a struct field (msgspec writes and checks it itself), so ``type`` is read
    from the class: every event, known or not (``UnknownEvent``), has ``event.type``.
    """

    @property
    def type(self) -> str:
        """The event's ``type`` as on the wire, e.g. ``"message.new"``."""
        return self.__struct_config__.tag  # type: ignore[return-value]  # always a str on events

    def _repr_fields(self) -> list[str]:
        return [f"type={self.type!r}", *super()._repr_fields()]
