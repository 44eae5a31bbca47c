"""The packages' import rules (docs/architecture.md, issue 24): read from the source, every
import counted (module level, under TYPE_CHECKING and inside functions alike).

    domain, config, locales <- catalog <- people <- alerts <- chat <- bot
    api beside bot; nothing imports bot or api; chat and alerts have no Telegram in them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("domain", "config", "locales", "catalog", "model", "etl", "refresh", "charts",
           "people", "chat", "alerts", "bot", "api")  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from pkg import module` is an edge to pkg.module; `from mod import name` to mod
            found.update(
                f"{source}.{a.name}" if is_module(f"{source}.{a.name}") else source
                for a in node.names
            )
    return found


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def modules(package: str) -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted((ROOT / package).rglob("*.py"))}


def within(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


def offences(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in modules(package).items()
        for target in targets
        if within(target, forbidden)
    )


def test_the_conversation_has_no_telegram_and_no_adapter_in_it() -> None:
    assert offences("chat", ("telegram", "bot", "api")) == []


def test_alerts_import_neither_the_conversation_nor_an_adapter() -> None:
    # alerts sits below chat (the /watch feature reads its arrivals): chat -> alerts only
    assert offences("alerts", ("telegram", "bot", "api", "chat")) == []


@pytest.mark.parametrize("package", [p for p in PROJECT if p not in ("bot", "api")])
def test_nothing_below_the_adapters_imports_them(package: str) -> None:
    assert offences(package, ("bot", "api")) == []


def test_api_does_not_import_the_bot() -> None:
    assert offences("api", ("bot",)) == []


def test_no_import_circles_between_the_modules_of_the_bot_packages() -> None:
    """Within and between people/, chat/, alerts/ and bot/, the module graph has no cycle,
    function-local imports included."""
    graph: dict[str, set[str]] = {}
    for package in ("people", "chat", "alerts", "bot"):
        graph.update(modules(package))
    edges = {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}
    # a package's __init__ is imported by its modules' imports implicitly; only explicit edges
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> None:
        if node in path:
            cycle = [*path[path.index(node) :], node]
            raise AssertionError("import circle: " + " -> ".join(cycle))
        if node in done:
            return
        path.append(node)
        for target in sorted(edges[node]):
            visit(target)
        path.pop()
        done.add(node)

    for node in sorted(edges):
        visit(node)


def test_importing_the_conversation_and_alerts_loads_no_telegram() -> None:
    """What the console and the alert service load, in a fresh interpreter: no PTB."""
    code = (
        "import sys; import chat.console, chat.commands, chat.alert_message, alerts.service; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('telegram', 'api', 'bot'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split() == []
