"""What a Python source imports, read with ``ast``: one scanner for every import-rule test.

The rules (transports import only the contract, the client's layers, what each extra brings)
differ in what they forbid, not in how imports are found, so they all read them here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

#: Packages whose ``from pkg import name`` names a module, ``pkg.name``.
PACKAGES = ("streamchat_core", "streamchat_wire")


@dataclass(frozen=True)
class Import:
    #: The absolute module name (``from streamchat_core import codec``: ``streamchat_core.codec``).
    module: str
    #: Imported inside a function: only when it runs.
    lazy: bool = False
    #: In an ``if TYPE_CHECKING:`` block: never at run time.
    type_checking: bool = False
    #: ``importlib.import_module("…")`` (or ``__import__``) with a literal name.
    dynamic: bool = False

    @property
    def top(self) -> str:
        return self.module.split(".")[0]


def imports(source: str) -> list[Import]:
    """Every import in ``source``, wherever it stands, in the order of the source."""
    found: list[Import] = []

    def visit(node: ast.AST, lazy: bool, type_checking: bool) -> None:
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for child in node.body:
                visit(child, lazy, True)
            for child in node.orelse:
                visit(child, lazy, type_checking)
            return
        names: list[str] = []
        dynamic = False
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in PACKAGES:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__"))
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names, dynamic = [node.args[0].value], True
        found.extend(Import(name, lazy, type_checking, dynamic) for name in names)
        inside = lazy or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, inside, type_checking)

    visit(ast.parse(source), False, False)
    return found
