"""``streamchat emulator``: run the emulator until SIGINT or SIGTERM.

Prints one line with the base URL (the real port when ``--port 0``) and the API key once it
accepts connections; never the secret.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from streamchat_core.emulator.server import Emulator, EmulatorError

__all__ = ["build_parser", "main"]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of seconds")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamchat emulator",
        description="Run a local server that speaks Stream Chat's v1 protocol (WebSocket and long-poll).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=0, help="port to bind; 0 picks a free one (default: 0)")
    parser.add_argument("--api-key", required=True, help="the API key clients must send")
    parser.add_argument(
        "--api-secret", required=True, help="the secret tokens are signed with (never printed)"
    )
    parser.add_argument(
        "--no-websocket",
        action="store_true",
        help="refuse WebSocket upgrades with HTTP 403, as a blocking proxy would (clients fall back to long-poll)",
    )
    parser.add_argument(
        "--health-interval",
        type=_seconds,
        default=30.0,
        help="seconds between server health checks (default: 30)",
    )
    parser.add_argument(
        "--longpoll-timeout",
        type=_seconds,
        default=20.0,
        help="seconds a poll is held without events (default: 20)",
    )
    parser.add_argument(
        "--dead-connection-timeout",
        type=_seconds,
        default=60.0,
        help="close a WebSocket silent for this many seconds (default: 60)",
    )
    parser.add_argument(
        "--longpoll-expiry",
        type=_seconds,
        default=None,
        help="forget a long-poll connection not polled for this many seconds (default: 2 x timeout + 10)",
    )
    parser.add_argument(
        "--allow-dev-tokens", action="store_true", help="accept development tokens (signature 'devtoken')"
    )
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(
        level=args.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        emulator = Emulator(
            api_key=args.api_key,
            api_secret=args.api_secret,
            websocket=not args.no_websocket,
            health_interval=args.health_interval,
            longpoll_timeout=args.longpoll_timeout,
            dead_connection_timeout=args.dead_connection_timeout,
            longpoll_expiry=args.longpoll_expiry,
            allow_dev_tokens=args.allow_dev_tokens,
            host=args.host,
            port=args.port,
        )
    except ValueError as exc:
        print(f"streamchat emulator: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            emulator.start()
        except EmulatorError as exc:
            print(f"streamchat emulator: {exc}", file=sys.stderr)
            return 1
        websocket = "" if not args.no_websocket else ", WebSockets refused"
        print(
            f"streamchat emulator listening on {emulator.base_url} (api key {emulator.api_key}{websocket})",
            flush=True,
        )
        while not stop.wait(0.2):
            if not emulator.running:
                print("streamchat emulator: the server stopped unexpectedly", file=sys.stderr)
                return 1
        return 0
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
