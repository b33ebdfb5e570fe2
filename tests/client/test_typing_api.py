"""The typed event API, as mypy sees it: a bot that must type-check, and misuses that must not.

``tests/typing/bot_ok.py`` must pass ``mypy --strict`` with the project's configuration, with
no casts or ignores; ``tests/typing/bot_bad.py`` must fail on exactly the lines marked
``# expect-error[code]``, with that error code. The echo bot of README.md must pass too.
"""

from __future__ import annotations

import pathlib
import re

import pytest

mypy_api = pytest.importorskip("mypy.api")

ROOT = pathlib.Path(__file__).resolve().parents[2]
OK = pathlib.Path("tests/typing/bot_ok.py")
BAD = pathlib.Path("tests/typing/bot_bad.py")
_MARK = re.compile(r"#\s*expect-error\[([a-z-]+)\]\s*$")
_ERROR = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$", re.M)


def expected_errors(path: pathlib.Path) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate((ROOT / path).read_text().splitlines(), start=1):
        match = _MARK.search(line)
        if match:
            found.add((number, match.group(1)))
    return found


@pytest.fixture(scope="module")
def readme_bot(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    text = (ROOT / "README.md").read_text()
    section = text.split("## An echo bot", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    path = tmp_path_factory.mktemp("readme") / "readme_echo_bot.py"
    path.write_text(code.group(1))
    return path


@pytest.fixture(scope="module")
def mypy_output(readme_bot: pathlib.Path) -> str:
    # One run for every file, from the project's root (its configuration's paths are relative).
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        stdout, stderr, _status = mypy_api.run(
            [
                "--config-file",
                "pyproject.toml",
                "--strict",
                "--show-error-codes",
                "--no-pretty",
                str(OK),
                str(BAD),
                str(readme_bot),
            ]
        )
    assert not stderr.strip(), stderr
    return stdout


def errors_in(output: str, path: pathlib.Path) -> set[tuple[int, str]]:
    return {
        (int(m["line"]), m["code"])
        for m in _ERROR.finditer(output)
        if pathlib.Path(m["path"]).as_posix() == path.as_posix()
    }


def test_the_typed_bot_passes_mypy_strict(mypy_output: str) -> None:
    assert errors_in(mypy_output, OK) == set(), mypy_output
    text = (ROOT / OK).read_text()
    assert "cast(" not in text
    assert "type: ignore" not in text


def test_the_readme_bot_passes_mypy_strict(mypy_output: str, readme_bot: pathlib.Path) -> None:
    assert not [line for line in mypy_output.splitlines() if line.startswith(str(readme_bot))], mypy_output


def test_mypy_rejects_each_misuse_and_only_those(mypy_output: str) -> None:
    expected = expected_errors(BAD)
    assert len(expected) >= 10
    found = errors_in(mypy_output, BAD)
    assert found == expected, (
        f"missing: {sorted(expected - found)}; unexpected: {sorted(found - expected)}\n{mypy_output}"
    )
