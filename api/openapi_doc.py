"""The OpenAPI document as people read it in /docs and /redoc (issue 22).

FastAPI writes an optional value as `anyOf: [{type: integer}, {type: null}]`, which ReDoc shows as
"Year (integer) or Year (null)". Here an optional query parameter is its one type (leaving it
out is what "no value" means), and an optional response field is `type: [integer, "null"]`
(JSON Schema 2020-12, what OpenAPI 3.1 uses): "integer or null". Done once, on the generated
document, so every model and parameter is covered without touching each declaration.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()  # FastAPI caches it in app.openapi_schema: tidied once
        if not schema.get("x-tidied"):
            tidy(schema)
            schema["x-tidied"] = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def tidy(schema: dict[str, Any]) -> None:
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                inner = parameter.get("schema", {})
                other = _non_null(inner)
                if other is not None:
                    parameter["schema"] = {**_without_any_of(inner), **other}
    _walk(schema.get("components", {}))


def _walk(node: object) -> None:
    if isinstance(node, dict):
        other = _non_null(node)
        if other is not None and "type" in other:
            merged = {**_without_any_of(node), **other, "type": [other["type"], "null"]}
            if "const" in merged:
                merged["enum"] = [merged.pop("const")]
            if "enum" in merged:
                merged["enum"] = [*merged["enum"], None]
            node.clear()
            node.update(merged)
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)


def _non_null(node: dict[str, Any]) -> dict[str, Any] | None:
    """The one non-null branch of `anyOf: [X, null]`, or None when the node is not that."""
    branches = node.get("anyOf")
    if not isinstance(branches, list) or len(branches) != 2:
        return None
    rest = [b for b in branches if b != {"type": "null"}]
    if len(rest) != 1 or not isinstance(rest[0], dict) or isinstance(rest[0].get("type"), list):
        return None
    return rest[0]


def _without_any_of(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k != "anyOf"}
