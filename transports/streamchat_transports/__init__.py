"""The built-in transports of streamchat-core, loaded through the ``streamchat.transports`` entry points.

- ``websocket`` (:mod:`streamchat_transports.websocket`): ``websockets`` under asyncio,
  ``trio-websocket`` under trio.
- ``longpoll`` (:mod:`streamchat_transports.longpoll`): HTTP long-poll over httpx, for networks
  that block WebSockets.
- :mod:`streamchat_transports.memory`: a server scripted in Python, for tests.

Importing this package imports none of them; each module imports its own libraries.
"""
