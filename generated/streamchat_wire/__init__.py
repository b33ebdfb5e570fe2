"""Wire models for Stream Chat's v1 protocol, generated from ``spec/streamchat-v1.yaml``.

Decode them through ``streamchat_core.codec``: it keeps the custom fields that sit flat on
users, messages, channels and events, which plain msgspec would drop. Encode them with
``model.to_dict()`` or ``streamchat_core.codec.encode``, which put those fields back flat.
"""

from streamchat_wire._base import (
    EXTRA_DATA_WIRE_NAME,
    CustomFieldsStruct,
    EventStruct,
    UserStruct,
    WireStruct,
)
from streamchat_wire._custom import CustomFields
from streamchat_wire._models import *  # noqa: F403
from streamchat_wire._models import WSEvent

__all__ = [
    "EXTRA_DATA_WIRE_NAME",
    "CustomFields",
    "CustomFieldsStruct",
    "EventStruct",
    "UserStruct",
    "WSEvent",
    "WireStruct",
]
