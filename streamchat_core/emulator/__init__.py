"""A local server that speaks Stream Chat's v1 protocol: the emulator.

Stream's official JavaScript client connects users to it over WebSocket and over the long-poll
fallback; the project's tests and demo run on it; users get it for their own tests. It needs the
``[emulator]`` extra (``pip install 'streamchat-core[emulator]'``); without it, importing this
package raises :class:`~streamchat_core.extras.MissingExtraError`, whose message says so.

Starting it
-----------
Command line (also ``streamchat emulator``)::

    python -m streamchat_core emulator --host 127.0.0.1 --port 0 --api-key KEY --api-secret SECRET \\
        [--no-websocket] [--health-interval S] [--longpoll-timeout S] [--dead-connection-timeout S] \\
        [--longpoll-expiry S] [--allow-dev-tokens] [--log-level LEVEL]

It prints ``streamchat emulator listening on http://HOST:PORT (api key KEY)`` once it accepts
connections (never the secret) and runs until SIGINT or SIGTERM.

From Python, on its own thread and event loop, so it works from plain code, asyncio and trio::

    with Emulator(api_key="key", api_secret="a-secret-of-32-bytes-or-more....") as emu:
        emu.base_url                      # "http://127.0.0.1:<port>"
        token = emu.create_token("alice", exp=None, iat=None, nbf=None)

    async with Emulator(allow_dev_tokens=True) as emu: ...

``Emulator(api_key="emulator-key", api_secret=<random>, *, websocket=True, health_interval=30.0,
longpoll_timeout=20.0, dead_connection_timeout=60.0, longpoll_expiry=None, allow_dev_tokens=False,
host="127.0.0.1", port=0, max_body_bytes=1 MiB, max_frame_bytes=64 KiB, max_queued_events=50_000)``.

Tokens: ``create_token(user_id, exp=None, iat=None, nbf=None)``, ``server_token()``,
``Emulator.dev_token(user_id)``; ``api_key``, ``api_secret``, ``base_url``, ``ws_url``, ``port``.

Controls (thread-safe; they return once applied, and may be called from any thread, the
emulator's own included):

- ``drop_connections() -> int``: close every WebSocket with 1012 and forget every long-poll
  connection (its next poll gets error 46), as a network failure would.
- ``set_websocket_enabled(False | True)``: refuse upgrades with HTTP 403 from now on, or accept.
- ``set_answer_pings(False | True)``: stop answering pings and sending health checks (sockets
  stay open), or resume.
- ``burst(connection_id, count)``: send ``count`` ``message.new`` events back to back on
  ``messaging:emulator-burst``; each has ``burst_seq`` (0..count-1), ``burst_total`` and text
  ``burst <seq>``.
- ``push_event(user_id_or_connection_id, event) -> int``: queue any event (unknown types too).
- ``fail_channel_queries(count=1, mode="reset")``: the next ``count`` channel queries (a
  client's re-watch after a reconnect included) fail: ``"reset"`` drops the HTTP connection
  without an answer, ``"error"`` answers HTTP 500 (code -1).
- ``connections(user_id=None)``: open connections as dicts (``connection_id``, ``user_id``,
  ``kind``, ``poll_held``: a long-poll request is held right now, ``queued_events``).
- ``connection_ids(user_id=None)``, ``connection_count()``, ``wait_for_connections(user_id,
  count=1, timeout=10.0)``, ``user(user_id)``.

WebSocket close codes the emulator uses: 1000 after a rejected connect (after the error frame),
1001 for a connection silent past ``dead_connection_timeout`` and on shutdown, 1007 for a frame
nesting arrays and objects more than 100 levels deep (no error frame; the reason names the
limit) or a text frame that is not UTF-8, 1008 for a client that lets more than
``max_queued_events`` pile up, 1009 for a frame over ``max_frame_bytes``, 1012 for
``drop_connections``.

Process-wide effects: starting an emulator adds a redacting filter to the ``uvicorn`` and
``websockets`` loggers, and raises (never lowers) ``websockets.http11.MAX_LINE_LENGTH`` so that
a ``/connect`` URL carrying a large user object is parsed and answered with error code 4.

The same controls over HTTP, with a server token, are listed in
:mod:`streamchat_core.emulator.control` (``/_emulator/drop``, ``/websocket``, ``/pings``,
``/burst``, ``/push``, ``/fail-queries``, ``/connections``).

pytest
------
The ``streamchat_emulator`` fixture (see :mod:`streamchat_core.pytest_plugin`) gives each
test a running emulator with development tokens allowed; ``@pytest.mark.streamchat_emulator(...)``
changes its options.

What it serves
--------------
``GET /connect`` (WebSocket), ``GET /longpoll``, ``GET|POST|PATCH /users``,
``POST /channels/{type}/{id}/query``, ``POST /channels``, ``POST /channels/{type}/{id}/message``,
``POST /channels/{type}/{id}/event``, ``POST /channels/{type}/{id}/read``,
``POST /channels/{type}/{id}/stop-watching``. Errors come in Stream's
shape with its codes: 2 unknown API key, 4 bad input, 5 authentication failed (a token for
another user), 16 not found, 17 not allowed, 22 body too large, 40 to 43 token expired / not
valid yet / used before issued / bad signature, 46 unknown long-poll connection.

Every frame and answer carries the fields Stream's schema requires of its shape (the spec's
``required`` and ``x-stream-required``), with values true of the emulator, and no key the schema
does not declare besides the custom fields that clients set (an HTTP error body also repeats
the error under ``error``, see :mod:`~streamchat_core.emulator.errors`);
``tests/emulator/test_shapes.py`` checks it.

Malformed requests get a 4xx in the same shape, never a 500 or a connection closed without an
answer (see :mod:`streamchat_core.emulator.protocol`): code 4 with HTTP 400 for a body or JSON
parameter that is not valid JSON, has the wrong shape, holds NUL bytes or nests more than 100
levels deep (:mod:`~streamchat_core.emulator.nesting`), and for a request line that is not
HTTP/1.1 (HTTP/0.9, junk) or a broken WebSocket handshake; code 4 with HTTP 414 for a request
line, 431 for a request head, over 64 KiB; code 22 with HTTP 413 for a body over
``max_body_bytes``. Each is logged at WARNING at most, without a traceback.

State lives in memory, on the emulator's event loop. No log line carries a token or the secret.
"""

from streamchat_core.extras import require_extra

# Before anything of the emulator is imported: without the extra, one line naming it, rather
# than a ModuleNotFoundError from deep inside a submodule.
require_extra("emulator", "the emulator")

from streamchat_core.emulator.config import EmulatorConfig  # noqa: E402
from streamchat_core.emulator.server import Emulator, EmulatorError  # noqa: E402

__all__ = ["Emulator", "EmulatorConfig", "EmulatorError"]
