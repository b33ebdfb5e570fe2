"""What clients receive about a message and a thread: Stream's ``MessageResponse`` and
``ThreadResponse`` shapes, from the stored :class:`~streamchat_core.emulator.channels.Message`.

Every field Stream's schema requires is there, with what is true of the emulator: it has no
reactions, pins, moderation or deletions, so the reaction lists and maps are empty, ``pinned``
and ``shadowed`` are false and ``deleted_reply_count`` is 0; ``html`` is the text rendered as
Stream renders plain text (HTML-escaped paragraphs). Pure functions: the users inside are given
(see :mod:`~streamchat_core.emulator.channel_views`, which looks them up).
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from streamchat_core.emulator.channels import Message

__all__ = ["message_shape", "render_html", "thread_shape"]

_PARAGRAPH_BREAK: Final = re.compile(r"\n[ \t]*\n+")


def render_html(text: str) -> str:
    """``text`` as HTML: each paragraph (split on blank lines) in ``<p>``, escaped."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text.strip())]
    return "".join(f"<p>{_html.escape(p, quote=False)}</p>\n" for p in paragraphs if p)


def message_shape(
    message: Message, user: Mapping[str, Any], mentioned_users: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """A stored message in Stream's ``MessageResponse`` shape, custom fields flat.

    ``user`` is its author and ``mentioned_users`` the users it mentions, as user views.
    """
    view: dict[str, Any] = {
        "id": message.id,
        "text": message.text,
        "html": render_html(message.text),
        "type": message.type,
        "user": user,
        "cid": message.cid,
        "attachments": message.attachments,
        "latest_reactions": [],
        "own_reactions": [],
        "reaction_counts": {},
        "reaction_scores": {},
        "reply_count": message.reply_count,
        "deleted_reply_count": 0,
        "created_at": message.created_at,
        "updated_at": message.updated_at,
        "shadowed": False,
        "silent": message.silent,
        "pinned": False,
        "mentioned_users": list(mentioned_users),
        "mentioned_channel": message.mentioned_channel,
        "mentioned_here": message.mentioned_here,
        "restricted_visibility": [],
    }
    if message.parent_id is not None:
        view["parent_id"] = message.parent_id
        if message.show_in_channel:
            view["show_in_channel"] = True
    for key, value in message.custom.items():
        view.setdefault(key, value)
    return view


def thread_shape(parent: Message, replies: Sequence[Message]) -> dict[str, Any]:
    """The thread under ``parent`` (Stream's ``ThreadResponse``); ``replies`` oldest first, not empty.

    It began with its first reply, by that reply's author; its participants are the parent's
    author and everyone who replied; nobody has left it.
    """
    participants = list(dict.fromkeys([parent.user_id, *(r.user_id for r in replies)]))
    first, last = replies[0], replies[-1]
    return {
        "parent_message_id": parent.id,
        "channel_cid": parent.cid,
        "title": "",
        "created_by_user_id": first.user_id,
        "reply_count": len(replies),
        "participant_count": len(participants),
        "active_participant_count": len(participants),
        "created_at": first.created_at,
        "updated_at": last.created_at,
        "last_message_at": last.created_at,
    }
