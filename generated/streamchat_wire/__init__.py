"""Wire models for Stream Chat's v1 protocol, generated from ``spec/streamchat-v1.yaml``.

Decode and encode them through ``streamchat_core.codec``: it keeps the custom fields that sit
flat on users, messages, channels and events, which plain msgspec would drop.
"""

from streamchat_wire._base import EXTRA_DATA_WIRE_NAME, CustomFieldsStruct, WireStruct
from streamchat_wire._models import *  # noqa: F403
from streamchat_wire._models import WSEvent

__all__ = ["EXTRA_DATA_WIRE_NAME", "CustomFieldsStruct", "WSEvent", "WireStruct"]
