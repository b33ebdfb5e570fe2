"""streamchat-core: a client for Stream Chat's v1 chat API, for asyncio and trio."""

from streamchat_wire import (
    DeliveryReceipts as DeliveryReceipts,
    OwnUser as OwnUser,
    PrivacySettings as PrivacySettings,
    ReadReceipts as ReadReceipts,
    TypingIndicators as TypingIndicators,
    User as User,
)

from streamchat_core.codec import CustomFields as CustomFields, UnknownEvent as UnknownEvent
from streamchat_core.errors import (
    AccessKeyError as AccessKeyError,
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
    TokenSignatureError as TokenSignatureError,
    TokenUsedBeforeIssuedError as TokenUsedBeforeIssuedError,
    TransportError as TransportError,
    TransportLoadError as TransportLoadError,
)
from streamchat_core.tokens import dev_token as dev_token
from streamchat_core.validation import validate_user as validate_user

__version__ = "0.1.0"
