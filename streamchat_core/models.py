"""Every wire model and event class in one namespace: ``from streamchat_core import models``.

These are the classes of ``streamchat_wire``, generated from the spec (``models.User is
streamchat_wire.User``): users (``User``, ``OwnUser``, ``PrivacySettings``), messages
(``Message``, ``Attachment``, ``Reaction``), channels (``ChannelResponse``, ``ChannelMember``,
``ReadState``), the REST bodies, and one class per event type (``MessageNewEvent``,
``TypingStartEvent``, …, all deriving from ``EventStruct``). Beside them:

- :data:`Event`: the union of every event class and :class:`UnknownEvent`, which is what a
  handler of every event (or of a type given as a string) receives;
- :class:`UnknownEvent`: an event whose ``type`` this version does not know.

The wire shapes of a channel take Stream's names, ``ChannelResponse`` and
``ChannelStateResponse`` (a channel query's body), so that ``streamchat_core.Channel`` (the live
channel a client watches) and ``streamchat_core.ChannelState`` (its locally kept state) each
mean one thing.
"""

# No `from __future__ import annotations`: it would bind `annotations` here, a public name that
# is not a model.
import streamchat_wire as _wire
from streamchat_core.codec import Event as Event, UnknownEvent as UnknownEvent
from streamchat_wire import *  # noqa: F403 - the bases and helpers, and every generated class
from streamchat_wire._models import *  # noqa: F403 - the generated classes again, for mypy (below)

# The second star import adds nothing at run time; mypy reads only the literal part of
# streamchat_wire's __all__, and _models' (which scripts/regen writes) is all literal. The
# list: streamchat_wire's own (it follows the spec), and the two names the codec adds.
__all__ = [*_wire.__all__, "Event", "UnknownEvent"]
