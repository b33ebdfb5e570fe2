"""streamchat-core: a client for Stream Chat's v1 chat API, for asyncio and trio.

Wire models and event classes are in :mod:`streamchat_core.models` (``from streamchat_core
import models``; ``models.MessageNewEvent``, ``models.Message``, …); the most used ones
(``User``, ``OwnUser``, the privacy settings, ``Event``, ``UnknownEvent``) are here too.

``Channel`` is the live channel a client watches (``client.channel(...)``) and ``ChannelState``
the state it keeps of it; the wire's shapes of a channel are ``models.ChannelResponse`` and
``models.ChannelStateResponse``.
"""

from streamchat_core import models as models
from streamchat_core._version import __version__ as __version__
from streamchat_core.backoff import BackoffPolicy as BackoffPolicy, ExponentialBackoff as ExponentialBackoff
from streamchat_core.channel import Channel as Channel
from streamchat_core.channel_state import ChannelState as ChannelState, TypingEntry as TypingEntry
from streamchat_core.client import DEFAULT_BASE_URL as DEFAULT_BASE_URL, StreamChatClient as StreamChatClient
from streamchat_core.codec import CustomFields as CustomFields, Event as Event, UnknownEvent as UnknownEvent
from streamchat_core.error_codes import ErrorCode as ErrorCode
from streamchat_core.errors import (
    AccessKeyError as AccessKeyError,
    ConnectionClosedError as ConnectionClosedError,
    ConnectionIDNotFoundError as ConnectionIDNotFoundError,
    ConnectTimeoutError as ConnectTimeoutError,
    DecodeError as DecodeError,
    InputError as InputError,
    InvalidTokenError as InvalidTokenError,
    InvalidUserError as InvalidUserError,
    NotConnectedError as NotConnectedError,
    StreamAPIError as StreamAPIError,
    StreamChatError as StreamChatError,
    TokenExpiredError as TokenExpiredError,
    TokenNotValidYetError as TokenNotValidYetError,
    TokenProviderError as TokenProviderError,
    TokenSignatureError as TokenSignatureError,
    TokenUsedBeforeIssuedError as TokenUsedBeforeIssuedError,
    TransportError as TransportError,
    TransportLoadError as TransportLoadError,
    UpgradeRejectedError as UpgradeRejectedError,
    UsageError as UsageError,
)
from streamchat_core.events import EventStream as EventStream, Subscription as Subscription
from streamchat_core.plugins import available_transports as available_transports
from streamchat_core.state import ConnectionState as ConnectionState
from streamchat_core.stats import ClientStats as ClientStats
from streamchat_core.tokens import dev_token as dev_token
from streamchat_core.transport import ConnectRequest as ConnectRequest, Transport as Transport
from streamchat_core.typing_state import TypingTimings as TypingTimings
from streamchat_core.validation import validate_user as validate_user
from streamchat_wire import (
    DeliveryReceipts as DeliveryReceipts,
    OwnUser as OwnUser,
    PrivacySettings as PrivacySettings,
    ReadReceipts as ReadReceipts,
    TypingIndicators as TypingIndicators,
    User as User,
)

# The public surface: tests/foundation/test_public_api.py pins it, so a name joins or leaves it
# deliberately.
__all__ = [
    "AccessKeyError",
    "BackoffPolicy",
    "Channel",
    "ChannelState",
    "ClientStats",
    "ConnectRequest",
    "ConnectTimeoutError",
    "ConnectionClosedError",
    "ConnectionIDNotFoundError",
    "ConnectionState",
    "CustomFields",
    "DEFAULT_BASE_URL",
    "DecodeError",
    "DeliveryReceipts",
    "ErrorCode",
    "Event",
    "EventStream",
    "ExponentialBackoff",
    "InputError",
    "InvalidTokenError",
    "InvalidUserError",
    "NotConnectedError",
    "OwnUser",
    "PrivacySettings",
    "ReadReceipts",
    "StreamAPIError",
    "StreamChatClient",
    "StreamChatError",
    "Subscription",
    "TokenExpiredError",
    "TokenNotValidYetError",
    "TokenProviderError",
    "TokenSignatureError",
    "TokenUsedBeforeIssuedError",
    "Transport",
    "TransportError",
    "TransportLoadError",
    "TypingEntry",
    "TypingIndicators",
    "TypingTimings",
    "UnknownEvent",
    "UpgradeRejectedError",
    "UsageError",
    "User",
    "available_transports",
    "dev_token",
    "models",
    "validate_user",
    "__version__",
]
