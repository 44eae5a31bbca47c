"""model/ has no import circle (issue 24): read from the source, every import counted, those
inside functions included, so a circle cannot hide behind a function-local import."""

from __future__ import annotations

from tests.bot.test_layers import modules


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk of `graph` meets (each as module -> ... -> module)."""
    edges = {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}
    found: list[list[str]] = []
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> None:
        if node in path:
            found.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        path.append(node)
        for target in sorted(edges[node]):
            visit(target)
        path.pop()
        done.add(node)

    for node in sorted(edges):
        visit(node)
    return found


def test_the_walk_finds_a_circle_made_on_purpose() -> None:
    graph = {"model.a": {"model.b"}, "model.b": {"model.c"}, "model.c": {"model.a", "numpy"}}
    assert circles(graph) == [["model.a", "model.b", "model.c", "model.a"]]


def test_model_modules_import_in_one_direction() -> None:
    graph = modules("model")
    assert {"model.train", "model.tune", "model.evaluate", "model.fold_in_choice"} <= set(graph)
    assert circles(graph) == []
