"""streamchat-core: a client for Stream Chat's v1 chat API, for asyncio and trio."""

from streamchat_core.backoff import BackoffPolicy as BackoffPolicy
from streamchat_core.backoff import ExponentialBackoff as ExponentialBackoff
from streamchat_core.client import DEFAULT_BASE_URL as DEFAULT_BASE_URL
from streamchat_core.client import StreamChatClient as StreamChatClient
from streamchat_core.codec import CustomFields as CustomFields
from streamchat_core.codec import UnknownEvent as UnknownEvent
from streamchat_core.errors import (
    AccessKeyError as AccessKeyError,
)
from streamchat_core.errors import (
    ConnectionClosedError as ConnectionClosedError,
)
from streamchat_core.errors import (
    ConnectionIDNotFoundError as ConnectionIDNotFoundError,
)
from streamchat_core.errors import (
    ConnectTimeoutError as ConnectTimeoutError,
)
from streamchat_core.errors import (
    DecodeError as DecodeError,
)
from streamchat_core.errors import (
    InputError as InputError,
)
from streamchat_core.errors import (
    InvalidTokenError as InvalidTokenError,
)
from streamchat_core.errors import (
    InvalidUserError as InvalidUserError,
)
from streamchat_core.errors import (
    NotConnectedError as NotConnectedError,
)
from streamchat_core.errors import (
    StreamAPIError as StreamAPIError,
)
from streamchat_core.errors import (
    StreamChatError as StreamChatError,
)
from streamchat_core.errors import (
    TokenExpiredError as TokenExpiredError,
)
from streamchat_core.errors import (
    TokenNotValidYetError as TokenNotValidYetError,
)
from streamchat_core.errors import (
    TokenProviderError as TokenProviderError,
)
from streamchat_core.errors import (
    TokenSignatureError as TokenSignatureError,
)
from streamchat_core.errors import (
    TokenUsedBeforeIssuedError as TokenUsedBeforeIssuedError,
)
from streamchat_core.errors import (
    TransportError as TransportError,
)
from streamchat_core.errors import (
    TransportLoadError as TransportLoadError,
)
from streamchat_core.events import EventStream as EventStream
from streamchat_core.plugins import available_transports as available_transports
from streamchat_core.state import ConnectionState as ConnectionState
from streamchat_core.tokens import dev_token as dev_token
from streamchat_core.transport import ConnectRequest as ConnectRequest
from streamchat_core.transport import Transport as Transport
from streamchat_core.validation import validate_user as validate_user
from streamchat_wire import (
    DeliveryReceipts as DeliveryReceipts,
)
from streamchat_wire import (
    OwnUser as OwnUser,
)
from streamchat_wire import (
    PrivacySettings as PrivacySettings,
)
from streamchat_wire import (
    ReadReceipts as ReadReceipts,
)
from streamchat_wire import (
    TypingIndicators as TypingIndicators,
)
from streamchat_wire import (
    User as User,
)

__version__ = "0.1.0"
