"""The client's modules form layers: each imports only modules below it, so there is no circle.

Read with ``ast`` (TYPE_CHECKING imports included), so a cycle cannot creep back in unseen.
A new module must be placed in :data:`LAYERS`.
"""

from __future__ import annotations

import ast
import pathlib

from import_scan import imports

import streamchat_core

PACKAGE = pathlib.Path(streamchat_core.__file__).parent

#: Bottom first. A module may import only modules listed before it.
LAYERS = [
    "_version",
    "extras",
    "state",
    "durations",
    "logs",
    "backoff",
    "custom_fields",
    "error_codes",
    "errors",
    "tokens",
    "stats",
    "codec",
    "models",
    "privacy",
    "validation",
    "own_user",
    "events",
    "typing_state",
    "channel_state",
    "transport",
    "plugins",
    "rest",
    "auth",
    "connection",
    "reconnect_rules",
    "resubscribe",
    "switchback",
    "link_pool",
    "session",
    "channel_host",
    "channel",
    "channel_registry",
    "client",
    "__init__",
    "demo",
    "__main__",
    "pytest_plugin",
]


def _imports(path: pathlib.Path) -> set[str]:
    """The ``streamchat_core`` modules ``path`` imports, by short name (``emulator`` for the emulator)."""
    return {
        parts[1]
        for found in imports(path.read_text(encoding="utf-8"))
        if (parts := found.module.split("."))[0] == "streamchat_core" and len(parts) > 1
    }


def _modules() -> dict[str, set[str]]:
    return {path.stem: _imports(path) - {path.stem} for path in sorted(PACKAGE.glob("*.py"))}


def test_every_module_has_a_layer() -> None:
    assert sorted(set(_modules()) - set(LAYERS)) == []
    assert sorted(set(LAYERS) - set(_modules())) == []


def test_each_module_imports_only_modules_below_it() -> None:
    rank = {name: i for i, name in enumerate(LAYERS)}
    upward = {
        module: sorted(dep for dep in deps if dep in rank and rank[dep] >= rank[module])
        for module, deps in _modules().items()
    }
    assert {module: deps for module, deps in upward.items() if deps} == {}


def test_the_client_does_not_import_the_emulator() -> None:
    # The demo, the command line and the pytest fixture start an emulator; the client itself
    # never needs one.
    client_side = set(LAYERS) - {"demo", "__main__", "pytest_plugin"}
    assert sorted(m for m, deps in _modules().items() if m in client_side and "emulator" in deps) == []


def test_the_channel_modules_know_the_client_only_through_its_contract() -> None:
    modules = _modules()
    for module in ("channel", "channel_registry"):
        assert "client" not in modules[module]
        assert "session" not in modules[module]


def _private_names_defined(tree: ast.AST) -> set[str]:
    """The private names a module defines: ``self._x = …`` and class-level ``_x``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                targets = statement.targets if isinstance(statement, ast.Assign) else []
                if isinstance(statement, ast.AnnAssign):
                    targets = [statement.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(statement.name)
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


def test_no_module_reaches_into_another_modules_private_attributes() -> None:
    # `other._x` is fine where this module defines `_x` itself (friend classes of one module,
    # as a hub and its streams); a private attribute of another module's object is not.
    reach_ins = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = _private_names_defined(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr not in own
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                reach_ins.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert reach_ins == []
