"""people/ holds people's state for every front end: it imports no front end (bot/, api/, the
conversation, alerts) -- they import it. Checked twice: in the source (every import statement,
TYPE_CHECKING ones included) and by loading every module in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = ROOT / "people"
FRONT_ENDS = ("bot", "api", "chat", "alerts")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_people_module_names_a_front_end() -> None:
    modules = sorted(PEOPLE.rglob("*.py"))
    assert len(modules) > 5
    upward = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in modules
        for name in _imported(path)
        if name.split(".")[0] in FRONT_ENDS
    }
    assert not upward


def test_loading_every_people_module_loads_no_front_end() -> None:
    names = [
        "people." + p.stem if p.stem != "__init__" else "people"
        for p in sorted(PEOPLE.glob("*.py"))
    ]
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}: importlib.import_module(n)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FRONT_ENDS!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
