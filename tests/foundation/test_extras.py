"""A client-only install is a client: what each part imports, and one line where an extra is missing.

The install itself, in a fresh virtual environment, is ``test_fresh_install.py``; here the
emulator's modules are hidden from a subprocess of this environment instead (a ``None`` in
``sys.modules`` makes a module unimportable, as if it were not installed).
"""

from __future__ import annotations

import ast
import importlib.metadata
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest
from import_scan import imports
from install_helpers import client_script, line

from streamchat_core.emulator import Emulator
from streamchat_core.extras import EXTRAS, MissingExtraError, require_extra

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "streamchat_core"
FIRST_PARTY = {"streamchat_core", "streamchat_wire", "streamchat_transports"}


def _requirement_names(extra: str | None) -> set[str]:
    """The distributions the installed metadata requires for ``extra`` (None: the base install)."""
    names = set()
    for requirement in importlib.metadata.requires("streamchat-core") or []:
        name = re.split(r"[\s;<>=!~\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        marker = re.search(r"extra\s*==\s*['\"]([\w-]+)['\"]", requirement)
        if (marker.group(1) if marker else None) == extra:
            names.add(name)
    return names


def _modules_of(distributions: set[str]) -> set[str]:
    by_module = importlib.metadata.packages_distributions()
    return {
        module
        for module, dists in by_module.items()
        if {d.lower().replace("_", "-") for d in dists} & distributions
    }


BASE_MODULES = _modules_of(_requirement_names(None))


def test_the_extras_table_is_the_metadatas() -> None:
    assert _requirement_names(None) == {"msgspec", "anyio", "sniffio", "httpx", "websockets"}
    for extra, modules in EXTRAS.items():
        dists = _requirement_names(extra)
        assert _modules_of(dists) >= set(modules), extra
        # Each distribution of the extra is there for a module the table names.
        assert {d for d in dists if not (_modules_of({d}) & set(modules))} == set(), extra
    dev = _requirement_names("dev")
    assert _requirement_names("trio") | _requirement_names("emulator") <= dev


def _imports(path: pathlib.Path) -> tuple[set[str], set[str]]:
    """Top-level modules ``path`` imports when loaded, and those it imports inside functions.

    ``if TYPE_CHECKING:`` blocks are left out: they never run.
    """
    found = [i for i in imports(path.read_text(encoding="utf-8")) if not i.type_checking and not i.dynamic]
    return {i.top for i in found if not i.lazy}, {i.top for i in found if i.lazy}


def _client_files() -> list[pathlib.Path]:
    # Everything but the emulator and what runs one (the demo, the command line, the fixture).
    files = [p for p in sorted(PACKAGE.glob("*.py")) if p.stem not in ("demo", "__main__", "pytest_plugin")]
    files += sorted((ROOT / "generated" / "streamchat_wire").glob("*.py"))
    files += sorted((ROOT / "transports" / "streamchat_transports").rglob("*.py"))
    assert len(files) > 20
    return files


def test_the_client_imports_only_its_base_dependencies() -> None:
    allowed = set(sys.stdlib_module_names) | FIRST_PARTY | BASE_MODULES
    wrong = {}
    for path in _client_files():
        at_load, lazily = _imports(path)
        # trio's modules only inside a function: the websocket transport imports them when it
        # runs under trio, never under asyncio.
        extra = (at_load - allowed) | (lazily - allowed - set(EXTRAS["trio"]))
        if extra:
            wrong[str(path.relative_to(ROOT))] = sorted(extra)
    assert wrong == {}


def test_the_emulator_imports_only_its_extra() -> None:
    allowed = set(sys.stdlib_module_names) | FIRST_PARTY | BASE_MODULES | set(EXTRAS["emulator"])
    wrong = {}
    seen: set[str] = set()
    for path in sorted((PACKAGE / "emulator").glob("*.py")):
        at_load, lazily = _imports(path)
        seen |= at_load | lazily
        if (at_load | lazily) - allowed:
            wrong[path.name] = sorted((at_load | lazily) - allowed)
    assert wrong == {}
    # Each module of the extra is one the emulator does import: the extra asks for no more.
    assert set(EXTRAS["emulator"]) <= seen


def test_the_pytest_plugin_loads_without_the_emulator() -> None:
    at_load, _ = _imports(PACKAGE / "pytest_plugin.py")
    assert at_load <= set(sys.stdlib_module_names) | {"pytest", "streamchat_core"}
    source = (PACKAGE / "pytest_plugin.py").read_text(encoding="utf-8")
    module_level = [n for n in ast.parse(source).body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not [n for n in module_level if "emulator" in ast.unparse(n)]


def test_require_extra_names_the_extra_and_the_missing_module(monkeypatch: pytest.MonkeyPatch) -> None:
    require_extra("emulator", "the emulator")  # installed here: nothing happens
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with pytest.raises(MissingExtraError) as caught:
        require_extra("emulator", "the emulator")
    assert str(caught.value) == line("emulator", "the emulator", "uvicorn")
    assert isinstance(caught.value, ImportError)
    assert caught.value.name == "uvicorn"
    assert caught.value.extra == "emulator"


def _run_hiding(
    modules: tuple[str, ...], code: str, cwd: pathlib.Path | None = None
) -> subprocess.CompletedProcess[str]:
    prelude = f"import sys\nfor _m in {modules!r}:\n    sys.modules[_m] = None\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


EMULATOR_EXTRA = ("starlette", "uvicorn", "jwt")


@pytest.mark.parametrize("command", ["emulator", "demo"])
def test_the_commands_say_which_extra_they_need_in_one_line(command: str) -> None:
    result = _run_hiding(
        EMULATOR_EXTRA,
        f"""
        from streamchat_core.__main__ import main
        sys.exit(main([{command!r}, "--api-key", "k", "--api-secret", "s"] if {command!r} == "emulator" else ["demo"]))
        """,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr == line("emulator", f"streamchat {command}", "starlette") + "\n"


def test_the_demo_on_trio_says_it_needs_the_trio_extra() -> None:
    result = _run_hiding(
        ("trio", "trio_websocket"),
        """
        from streamchat_core.demo import main
        sys.exit(main(["--backend", "trio"]))
        """,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == line("trio", "streamchat demo --backend trio", "trio") + "\n"


def test_importing_the_emulator_ends_in_the_one_line() -> None:
    result = _run_hiding(EMULATOR_EXTRA, "import streamchat_core.emulator\n")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == "streamchat_core.extras.MissingExtraError: " + line(
        "emulator", "the emulator", "starlette"
    )
    # Not an error from deep inside a submodule: nothing of the emulator was imported.
    assert "streamchat_core/emulator/server.py" not in result.stderr


USER_SUITE = """
def test_asks_for_the_emulator(streamchat_emulator):
    pass


def test_does_not():
    pass
"""


def test_pytest_starts_without_the_extra_and_only_the_fixture_fails(tmp_path: pathlib.Path) -> None:
    (tmp_path / "test_user_suite.py").write_text(USER_SUITE)
    result = _run_hiding(
        EMULATOR_EXTRA,
        f"""
        import pytest
        sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", {str(tmp_path)!r}]))
        """,
        cwd=tmp_path,
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "1 passed, 1 error" in out
    expected = line("emulator", "the streamchat_emulator fixture", "starlette")
    # The report shows the one line as the error, not a traceback. The short summary may repeat it,
    # cut to the terminal's width or not, so only the report section is counted.
    report = out.split("short test summary info")[0]
    assert report.count(expected) == 1, out
    assert "Traceback" not in out


def test_a_client_under_asyncio_imports_nothing_of_the_emulator_or_of_trio() -> None:
    with Emulator(allow_dev_tokens=True) as emu:
        result = subprocess.run(
            [sys.executable, "-c", client_script(), emu.api_key, emu.base_url],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["client-only connected", "[]"]


def _fresh_machine_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## On a fresh machine", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def test_ci_runs_the_readmes_commands_as_written() -> None:
    commands = _fresh_machine_commands()
    assert len(commands) == 2
    demo, tests = commands
    assert "'.[emulator]'" in demo
    assert demo.endswith("streamchat demo")
    assert "'.[dev]'" in tests
    assert tests.endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert [c for c in commands if c not in ci] == []
    assert ci.index(demo) < ci.index(tests)  # the demo first, on the venv it makes itself
