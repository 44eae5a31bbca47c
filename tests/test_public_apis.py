"""Our code touches python-telegram-bot, httpx and aiohttp only through their public names
(issue 24: a minor release may change anything private without warning).

An AST scan of every package of ours and of tests/: any `something._name` whose `_name` is a
private name of those libraries (their classes' attributes and slots, and every `self._x` /
`obj._x` in their source) fails, unless the name is also one our own code defines (then the
access is to our object: a subclass's own attribute, our store's connection, ...). The names
this issue removed stay forbidden even if we define them again."""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("telegram", "httpx", "aiohttp")
# What the bot used before issue 24 (Bot._post, HTTPXRequest._client, TelegramObject._unfreeze
# and _freeze, aiohttp's TCPSite._server): never again, whoever defines the name.
REMOVED = {"_post", "_do_post", "_client", "_unfreeze", "_freeze", "_unfrozen", "_server"}


def ours() -> list[Path]:
    """Every Python file of our packages (top-level folders with an __init__.py) and tests."""
    files: list[Path] = []
    for folder in sorted(ROOT.iterdir()):
        if (folder / "__init__.py").exists() and not folder.name.startswith("."):
            files += sorted(folder.rglob("*.py"))
    return [f for f in files if ".venv" not in f.parts]


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def defined_in(tree: ast.AST) -> set[str]:
    """Private names a module defines: functions, classes, assignments to names and attributes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Name,)) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {n for n in names if private(n)}


@cache
def library_private_names() -> frozenset[str]:
    names: set[str] = set()
    for lib in LIBRARIES:
        package = Path(importlib.import_module(lib).__file__ or "").parent
        for source in package.rglob("*.py"):
            tree = ast.parse(source.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and private(node.attr):
                    names.add(node.attr)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and private(
                    node.name
                ):
                    names.add(node.name)
    return frozenset(names)


def our_trees() -> dict[str, ast.AST]:
    return {str(p.relative_to(ROOT)): ast.parse(p.read_text(encoding="utf-8")) for p in ours()}


def private_library_uses(trees: dict[str, ast.AST]) -> list[str]:
    own: set[str] = set().union(*(defined_in(tree) for tree in trees.values()))
    suspects = (library_private_names() - own) | REMOVED
    return sorted(
        f"{path}:{node.lineno}: {ast.unparse(node)}"
        for path, tree in trees.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in suspects
    )


def test_no_private_names_of_telegram_httpx_or_aiohttp() -> None:
    assert private_library_uses(our_trees()) == []


def test_the_scan_sees_a_private_use() -> None:
    """Not vacuous: the uses this issue removed are caught, and so is a private name of PTB's
    that our code does not define (ExtBot's _insert_defaults)."""
    planted = """
async def send(bot, request):
    await bot._post("sendMessage", {})
    bot._insert_defaults({})
    return request._client
"""
    trees = our_trees() | {"planted.py": ast.parse(planted)}
    assert private_library_uses(trees) == [
        "planted.py:3: bot._post",
        "planted.py:4: bot._insert_defaults",
        "planted.py:5: request._client",
    ]
