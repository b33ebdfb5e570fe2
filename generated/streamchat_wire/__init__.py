"""Wire models for Stream Chat's v1 protocol, generated from ``spec/streamchat-v1.yaml``.

Decode them through ``streamchat_core.codec``: it keeps the custom fields that sit flat on
users, messages, channels and events, which plain msgspec would drop. Encode them with
``model.to_dict()`` or ``streamchat_core.codec.encode``, which put those fields back flat.
"""

from streamchat_wire import _models
from streamchat_wire._base import (
    EXTRA_DATA_WIRE_NAME,
    CustomFieldsStruct,
    EventStruct,
    UserStruct,
    WireStruct,
)
from streamchat_wire._custom import CustomFields
from streamchat_wire._models import *  # noqa: F403 - exactly the names in _models.__all__

# The hand-written bases and helpers, then every model and alias of the spec (scripts/regen
# writes _models.__all__, so this follows the spec without being edited by hand).
__all__ = [
    "EXTRA_DATA_WIRE_NAME",
    "CustomFields",
    "CustomFieldsStruct",
    "EventStruct",
    "UserStruct",
    "WireStruct",
]
__all__ += _models.__all__
