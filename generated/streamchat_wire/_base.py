"""Hand-written bases for the generated wire models (the generator never touches this file).

``scripts/regen`` passes ``--base-class streamchat_wire._base.WireStruct``; schemas marked with
``customBasePath`` in ``spec/`` derive from :class:`CustomFieldsStruct` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

__all__ = ["EXTRA_DATA_WIRE_NAME", "CustomFieldsStruct", "WireStruct"]

# The wire name of the ``extra_data`` field. Custom fields sit flat on the wire, so this name
# never appears there: the codec fills the field from the leftover keys on decode and spreads
# it back on encode. It only has to be a name no real payload uses.
EXTRA_DATA_WIRE_NAME = "__streamchat_extra_data__"


class WireStruct(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Base of every generated model.

    ``kw_only`` because generated field order is not an API; ``omit_defaults`` so that UNSET
    and defaults stay off the wire, as Stream's clients leave them off.
    """

    @property
    def type_tag(self) -> str | None:
        """The ``type`` tag of a tagged event struct, ``None`` for untagged models."""
        tag = self.__struct_config__.tag
        return tag if isinstance(tag, str) else None


class CustomFieldsStruct(WireStruct, kw_only=True, omit_defaults=True):
    """A model whose free custom fields sit flat beside the declared ones on the wire.

    msgspec cannot keep unknown keys, so ``extra_data`` is filled by
    ``streamchat_core.codec`` (lazily, from the frame) and spread back flat by its encoder.
    A plain ``msgspec.json.encode`` of such a struct would nest it under
    :data:`EXTRA_DATA_WIRE_NAME`; always encode through the codec.
    """

    extra_data: Mapping[str, Any] = msgspec.field(default_factory=dict, name=EXTRA_DATA_WIRE_NAME)
