"""The ``streamchat`` command (also ``python -m streamchat_core``).

streamchat emulator [options]   run a local Stream-compatible server
streamchat demo                 run the "Initialization & Users" demo against an in-process emulator

Both need the ``[emulator]`` extra (``pip install 'streamchat-core[emulator]'``); without it
they print one line saying so and exit with 1.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from streamchat_core.extras import MissingExtraError, require_extra

USAGE = """usage: streamchat {emulator,demo} [options]

  emulator   run a local Stream-compatible server (streamchat emulator --help)
  demo       connect users to an in-process emulator and show what they see
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command not in ("emulator", "demo"):
        print(f"streamchat: unknown command {command!r}\n{USAGE}", end="", file=sys.stderr)
        return 2
    try:
        # Both run an emulator: without its extra, one line naming it instead of a traceback.
        require_extra("emulator", f"streamchat {command}")
    except MissingExtraError as exc:
        print(exc, file=sys.stderr)
        return 1
    if command == "emulator":
        from streamchat_core.emulator.cli import main as emulator_main

        return emulator_main(rest)
    from streamchat_core.demo import main as demo_main

    return demo_main(rest)


if __name__ == "__main__":
    sys.exit(main())
