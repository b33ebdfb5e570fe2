"""Every wire model and event class in one namespace: ``from streamchat_core import models``.

These are the classes of ``streamchat_wire``, generated from the spec (``models.User is
streamchat_wire.User``): users (``User``, ``OwnUser``, ``PrivacySettings``), messages
(``Message``, ``Attachment``, ``Reaction``), channels (``Channel``, ``ChannelMember``,
``ReadState``), the REST bodies, and one class per event type (``MessageNewEvent``,
``TypingStartEvent``, …, all deriving from ``EventStruct``). Beside them:

- :data:`Event`: the union of every event class and :class:`UnknownEvent`, which is what a
  handler of every event (or of a type given as a string) receives;
- :class:`UnknownEvent`: an event whose ``type`` this version does not know.

Mind the two channels: ``models.Channel`` and ``models.ChannelState`` are the wire shapes of a
channel, while ``streamchat_core.Channel`` is the live channel a client watches and
``streamchat_core.ChannelState`` its locally kept state.
"""

from __future__ import annotations

import streamchat_wire as _wire
from streamchat_core.codec import Event as Event, UnknownEvent as UnknownEvent
from streamchat_wire import *  # noqa: F403 - the bases and helpers streamchat_wire exports itself
from streamchat_wire._models import *  # noqa: F403 - every generated model and event class


def _wire_names() -> list[str]:
    # What streamchat_wire exports, and every class it defines (the generated ones are not in
    # its __all__): this list follows the spec without being edited by hand.
    names = set(_wire.__all__)
    for name, value in vars(_wire).items():
        if (
            not name.startswith("_")
            and isinstance(value, type)
            and value.__module__.startswith("streamchat_wire")
        ):
            names.add(name)
    return sorted(names)


__all__ = [*_wire_names(), "Event", "UnknownEvent"]
