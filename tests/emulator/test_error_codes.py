"""The emulator and the client read one table of Stream's error codes."""

from __future__ import annotations

import pytest

from streamchat_core import codec
from streamchat_core.emulator import errors as emulator_errors
from streamchat_core.emulator.errors import RequestError
from streamchat_core.error_codes import ErrorCode
from streamchat_core.errors import StreamAPIError

TYPED = {cls.error_code: cls for cls in StreamAPIError.__subclasses__() if cls.error_code is not None}
CONSTANTS = {name: getattr(emulator_errors, name) for name in emulator_errors.__all__ if name.isupper()}


def test_every_code_the_emulator_names_is_an_entry_of_the_shared_table() -> None:
    assert CONSTANTS, "the emulator names no codes?"
    for name, code in CONSTANTS.items():
        assert isinstance(code, ErrorCode), name
        assert code is ErrorCode[name], name


@pytest.mark.parametrize("code", sorted(set(CONSTANTS.values())), ids=lambda code: code.name)
def test_what_the_emulator_answers_the_client_reads_as_the_same_entry(code: ErrorCode) -> None:
    status = code.status or 400
    rejection = RequestError(code, status, "no")
    assert type(rejection.payload()["code"]) is int
    for wire_form in (rejection.body(), rejection.frame()):
        error = codec.error_from_body(wire_form)
        assert isinstance(error, StreamAPIError)
        assert (error.code, error.status_code) == (int(code), status)
        # The client's class for the entry, or the base class for a code without one.
        assert type(error) is TYPED.get(code, StreamAPIError)
