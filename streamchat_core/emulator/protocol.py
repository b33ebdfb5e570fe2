"""The emulator's HTTP/1.1 protocol: uvicorn's h11 protocol, answering every malformed request.

uvicorn's own protocol answers what h11 cannot parse with a plain-text 400 and closes the socket
at once, which resets the connection while the client is still sending (a long URL, a large
header block), so the client often reads no answer at all; and it waits forever for the headers
of an HTTP/0.9 request line. This subclass, which the emulator runs instead:

- reads each request head as it arrives, before h11 does: a first line that is not ``METHOD
  target HTTP/1.x`` (HTTP/0.9, TLS, binary junk, an empty line) is answered with 400 as soon as
  it ends; a request line longer than the head limit (``max_request_head_bytes``) with 414, a
  head over the limit with 431;
- answers whatever else h11 refuses (a bad header line or ``Content-Length``, a broken chunk, a
  head or body cut short by the client's end of stream) with 400;
- writes those answers itself, each with Stream's error body (code 4), and logs each at WARNING
  (no traceback);
- closes gracefully, "lingering": after such an answer, or when the application answers before
  reading the whole body on a connection that must then close, it shuts its sending side and
  reads and throws away what the client still sends, for up to :data:`LINGER_SECONDS` or
  :data:`LINGER_BYTES`, so that the client reads the answer rather than a connection reset.

:class:`EmulatorWebSocketProtocol` does the same for WebSocket handshakes websockets refuses
(see there); ``GET /connect`` once upgraded is :mod:`streamchat_core.emulator.websocket`'s.
"""

from __future__ import annotations

import asyncio
import http
import logging
import re
from typing import Any, Final

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.exceptions import SecurityError
from websockets.http11 import Request

from streamchat_core.emulator.errors import INPUT, RequestError

__all__ = ["LINGER_BYTES", "LINGER_SECONDS", "EmulatorHTTPProtocol", "EmulatorWebSocketProtocol"]

log = logging.getLogger("streamchat.emulator")

#: After an error answer, how long the client may go on sending before the socket is closed.
LINGER_SECONDS: Final = 2.0
#: ... and how much it may send.
LINGER_BYTES: Final = 16 * 1024 * 1024

_TOKEN: Final = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
_REQUEST_LINE: Final = re.compile(_TOKEN + rb" [\x21-\x7e]+ HTTP/([0-9])\.([0-9])")
_HTTP09_LINE: Final = re.compile(_TOKEN + rb" /[\x21-\x7e]*")
_END_OF_HEAD: Final = re.compile(rb"\n\r?\n")
_DETAIL_CHARS: Final = 200
_H11_DEFAULT_LIMIT: Final = 16 * 1024  # h11's own, when uvicorn is given none


def _request_line_problem(line: bytes) -> str | None:
    """What is wrong with a request line (without its line end), or ``None``."""
    match = _REQUEST_LINE.fullmatch(line)
    if match is not None:
        if match.group(1) != b"1" or match.group(2) not in (b"0", b"1"):
            version = f"{match.group(1).decode()}.{match.group(2).decode()}"
            return f"HTTP/{version} is not supported; the emulator speaks HTTP/1.1"
        return None
    if not line:
        return "the request starts with an empty line, not a request line"
    if _HTTP09_LINE.fullmatch(line):
        return "the request line has no HTTP version (HTTP/0.9); the emulator speaks HTTP/1.1"
    return "the request line is not 'METHOD target HTTP/1.1'"


def _error_answer(status: int, message: str, headers: str = "") -> bytes:
    """A whole HTTP/1.1 error answer, with Stream's error body (code 4), closing the connection."""
    body = RequestError(INPUT, status, message).body()
    head = (
        f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
        f"{headers}"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class _Connection(h11.Connection):
    """h11's connection, remembering the last error it found in what the client sent."""

    last_error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.last_error = exc
            raise


class _CycleTransport(asyncio.Transport):
    """The socket as a request's cycle sees it: closing it lingers while the request is unread."""

    def __init__(self, protocol: EmulatorHTTPProtocol) -> None:
        super().__init__()
        self._protocol = protocol

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._protocol.transport.write(data)

    def is_closing(self) -> bool:
        return self._protocol.lingering or self._protocol.transport.is_closing()

    def close(self) -> None:
        self._protocol.close_after_response()

    # The rest is the socket's own (fault injection aborts it through here).

    def abort(self) -> None:
        self._protocol.transport.abort()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._protocol.transport.get_extra_info(name, default)

    def can_write_eof(self) -> bool:
        return self._protocol.transport.can_write_eof()

    def write_eof(self) -> None:
        self._protocol.transport.write_eof()

    def get_write_buffer_size(self) -> int:
        return self._protocol.transport.get_write_buffer_size()

    def is_reading(self) -> bool:
        return self._protocol.transport.is_reading()

    def pause_reading(self) -> None:
        self._protocol.transport.pause_reading()

    def resume_reading(self) -> None:
        self._protocol.transport.resume_reading()


class EmulatorHTTPProtocol(H11Protocol):
    """uvicorn's h11 protocol, answering malformed requests in Stream's shape (see the module)."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        limit = config.h11_max_incomplete_event_size
        self._limit: int = limit if limit is not None else _H11_DEFAULT_LIMIT
        self._h11 = _Connection(h11.SERVER, self._limit)
        self.conn = self._h11
        # The request head being received, while h11 waits for one; None between heads, or
        # when h11 already held part of it (pipelined after a body) and the check is left to h11.
        self._head: bytearray | None = None
        self._unwatched = False
        self._line_done = False
        self._scanned = 0
        self.lingering = False
        self._eof = False
        self._discarded = 0
        self._linger_timer: asyncio.TimerHandle | None = None
        self._cycle_transport = _CycleTransport(self)

    # ------------------------------------------------------------------ reading

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            self._discarded += len(data)
            if self._discarded > LINGER_BYTES:
                self.transport.close()
            return
        if self.conn.their_state is h11.IDLE and not self._unwatched:
            if self._head is None:
                if self.conn.trailing_data[0]:
                    self._unwatched = True
                else:
                    self._head = bytearray()
            if self._head is not None:
                self._head += data
                refusal = self._check_head(self._head)
                if refusal is not None:
                    self._refuse(*refusal)
                    return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._forget_head()

    def _forget_head(self) -> None:
        self._head = None
        self._unwatched = self._line_done = False
        self._scanned = 0

    def _check_head(self, head: bytearray) -> tuple[int, str] | None:
        """The status and message that refuse the head received so far, or ``None``."""
        limit = self._limit
        if not self._line_done:
            end = head.find(b"\n", self._scanned)
            if end < 0:
                self._scanned = len(head)
                if len(head) > limit:
                    return 414, f"the request line is longer than {limit:,} bytes, the limit"
                if head[:1] and head[0] < 0x21:
                    return 400, "the request does not start with a request line"
                return None
            if end > limit:
                return 414, f"the request line is longer than {limit:,} bytes, the limit"
            line = bytes(head[:end])
            problem = _request_line_problem(line[:-1] if line.endswith(b"\r") else line)
            if problem is not None:
                return 400, problem
            self._line_done = True
            self._scanned = end
        match = _END_OF_HEAD.search(head, self._scanned)
        if match is None:
            self._scanned = max(self._scanned, len(head) - 2)
            if len(head) > limit:
                return 431, f"the request head is larger than {limit:,} bytes, the limit"
            return None
        if match.end() > limit:
            return 431, f"the request head is larger than {limit:,} bytes, the limit"
        return None

    def handle_events(self) -> None:
        super().handle_events()
        cycle = self.cycle
        if cycle is not None and cycle.transport is self.transport:
            cycle.transport = self._cycle_transport

    def eof_received(self) -> None:
        if self.lingering:
            return
        self._eof = True
        state = self.conn.their_state
        if state is h11.SEND_BODY or (state is h11.IDLE and self.conn.trailing_data[0]):
            # The client stopped in the middle of a request: h11 says what is missing, and
            # send_400_response answers. asyncio then closes the socket, once the answer is out.
            self._forget_head()
            self.conn.receive_data(b"")
            self.handle_events()
        # Otherwise the client is gone, as uvicorn assumes: a long-poll held for it must see a
        # disconnect (a client that only half-closes after a whole request is not told apart).

    # ------------------------------------------------------------------ refusing

    def _refuse(self, status: int, message: str) -> None:
        """Answer a malformed request head and close, lingering."""
        log.warning("refused a malformed HTTP request: HTTP %d: %s", status, message)
        self._unset_keepalive_if_required()
        self.transport.write(_error_answer(status, message))
        self._linger()

    def send_400_response(self, msg: str) -> None:
        # uvicorn calls this when h11 refuses what the client sent (and logs a warning).
        error = self._h11.last_error
        status = 400
        if error is not None:
            hint = error.error_status_hint
            status = hint if 400 <= hint < 500 else 400
            detail = str(error)
            if len(detail) > _DETAIL_CHARS:
                detail = detail[:_DETAIL_CHARS] + "…"
            msg = f"the request is not valid HTTP/1.1: {detail}"
        if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):  # nothing answered yet
            log.info("refused a malformed HTTP request: HTTP %d: %s", status, msg)
            self.transport.write(_error_answer(status, msg))
        self._linger()

    def _linger(self) -> None:
        """Stop sending, and read and throw away what the client still sends, then close."""
        if self.lingering:
            return
        self.lingering = True
        self._forget_head()
        self._unset_keepalive_if_required()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the application reads a disconnect, and writes no more
            cycle.message_event.set()
        transport = self.transport
        if transport.is_closing():
            return
        if self._eof or not transport.can_write_eof():
            transport.close()
            return
        try:
            transport.write_eof()
        except OSError:  # the client is already gone
            transport.abort()
            return
        transport.resume_reading()
        self._linger_timer = self.loop.call_later(LINGER_SECONDS, transport.close)

    def close_after_response(self) -> None:
        """The application's answer is complete and the connection must close."""
        state = self.conn.their_state
        if state is h11.SEND_BODY or (state is h11.IDLE and self.conn.trailing_data[0]):
            self._linger()  # the client is still sending its request
        else:
            self.transport.close()

    # ------------------------------------------------------------------ the rest

    def on_response_complete(self) -> None:
        if not self.lingering:
            super().on_response_complete()

    def timeout_keep_alive_handler(self) -> None:
        if not self.lingering:
            super().timeout_keep_alive_handler()

    def shutdown(self) -> None:
        if self.lingering:
            self.transport.close()
        else:
            super().shutdown()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._linger_timer is not None:
            self._linger_timer.cancel()
            self._linger_timer = None
        super().connection_lost(exc)


class EmulatorWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol (websockets' sans-I/O), refusing bad handshakes in Stream's shape.

    uvicorn's own answers a handshake websockets refuses with a plain-text body, and none at all
    when websockets cannot parse the request (a ``POST`` upgrade, too many headers): the client
    waits forever. A text frame that is not UTF-8 closes the socket with 1007, as uvicorn does,
    but is logged as a warning, not as an error with a traceback. A denial response (the 404 of
    a WebSocket upgrade to no endpoint) is not logged as a failed handshake.
    """

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        failure = self.conn.handshake_exc
        if not self.handshake_initiated and failure is not None and not self.close_sent:
            # websockets could not parse the handshake request.
            self.conn.data_to_send()  # its own answer (or none), replaced by ours
            # Too many headers, or a header line too long (a request line that long never gets
            # here: EmulatorHTTPProtocol answers it with 414, and the emulator raises websockets'
            # line limit above its own).
            status = 431 if isinstance(failure, SecurityError) else 400
            cause = failure.__cause__
            detail = f"{failure}; {cause}" if cause is not None else str(failure)
            self._refuse_handshake(status, f"the WebSocket handshake is not valid: {detail}")

    def handle_connect(self, event: Request) -> None:
        response = self.conn.accept(event)
        if response.status_code == 101:
            super().handle_connect(event)  # accepts again, and starts the application
            return
        extra = "".join(
            f"{name}: {response.headers[name]}\r\n"
            for name in ("Allow", "Upgrade")
            if name in response.headers
        )
        status = response.status_code if 400 <= response.status_code < 500 else 400
        reason = (response.body or b"").decode("utf-8", "replace").strip().splitlines()
        detail = reason[0] if reason else http.HTTPStatus(response.status_code).phrase
        self._refuse_handshake(status, f"the WebSocket handshake is not valid: {detail}", extra)

    def _refuse_handshake(self, status: int, message: str, headers: str = "") -> None:
        log.warning("refused a WebSocket handshake: HTTP %d: %s", status, message)
        self.handshake_initiated = self.handshake_complete = self.close_sent = True
        self.transport.write(_error_answer(status, message, headers))
        self.transport.close()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body", False):
            # A denial response is a complete handshake; uvicorn does not record it, and logs an
            # error when the application returns ("returned without completing handshake").
            self.handshake_complete = True

    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type == "text" and not self.close_sent:
            data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
            self.frames = [data]
            if not data.isascii():
                try:
                    data.decode()
                except UnicodeDecodeError:
                    log.warning("a WebSocket text frame is not valid UTF-8; closing with 1007")
                    self.frames = []
                    self.conn.send_close(1007, "a text frame that is not valid UTF-8")
                    self.handle_parser_exception()
                    return
        super().send_receive_event_to_app()
