"""What the tests of the installs share: the one line of a missing extra, and a client-only script."""

from __future__ import annotations

__all__ = ["NOT_THE_CLIENT", "client_script", "line"]

#: What an import of the emulator's or trio's modules means in a client process.
NOT_THE_CLIENT = ("starlette", "uvicorn", "jwt", "trio", "trio_websocket")


def line(extra: str, what: str, missing: str) -> str:
    """The message of :class:`~streamchat_core.extras.MissingExtraError`, written out."""
    return f"{what} needs the [{extra}] extra ({missing} is not installed): pip install 'streamchat-core[{extra}]'"


#: The client under asyncio against an emulator of another process; what it imported, after.
CLIENT = """
import asyncio
import sys

from streamchat_core import StreamChatClient, User


async def main(api_key: str, base_url: str) -> None:
    async with StreamChatClient(api_key, base_url=base_url) as client:
        me = await client.connect_user(User(id="client-only"), client.dev_token("client-only"))
        print(me.id, client.connection_state.value)
        await client.disconnect_user()


asyncio.run(main(sys.argv[1], sys.argv[2]))
print(sorted(m for m in {not_the_client!r} if m in sys.modules))
"""


def client_script() -> str:
    """Run with the API key and base URL: prints the user and the state, then the modules of
    :data:`NOT_THE_CLIENT` it imported (``[]``)."""
    return CLIENT.format(not_the_client=NOT_THE_CLIENT)
