"""The catalogue's public API is typed all the way: no `Any` (nor a bare dict/list) at the
boundary the bot and the API call, so mypy checks what crosses it."""

from __future__ import annotations

import dataclasses
import inspect
import typing

import catalog
import model.recommender
from catalog import recommend

BARE = {dict, list, tuple, set, frozenset, type}


def _any_inside(hint: object, where: str) -> list[str]:
    """Every place in a type hint where Any (or a generic without parameters) stands."""
    if hint is typing.Any:
        return [where]
    if isinstance(hint, list):  # Callable's argument list
        return [x for h in hint for x in _any_inside(h, where)]
    if isinstance(hint, type) and hint in BARE:
        return [f"{where} (bare {getattr(hint, '__name__', hint)})"]
    found = []
    for arg in typing.get_args(hint):
        if arg is not Ellipsis:
            found += _any_inside(arg, where)
    return found


def _hints(obj: object) -> dict[str, object]:
    # The model's types are imported for type checking only (catalog/recommend.py).
    names = vars(model.recommender) | vars(recommend) | vars(inspect.getmodule(obj))
    return typing.get_type_hints(obj, globalns=names)


def _public_members(cls: type) -> list[tuple[str, object]]:
    members = [(name, member) for name, member in vars(cls).items() if not name.startswith("_")]
    return [*members, ("__init__", cls.__init__)] if "__init__" in vars(cls) else members


def _problems() -> list[str]:
    problems: list[str] = []
    for name in catalog.__all__:
        obj = getattr(catalog, name)
        if inspect.isfunction(obj):
            for key, hint in _hints(obj).items():
                problems += _any_inside(hint, f"{name}({key})")
        elif inspect.isclass(obj) and not issubclass(obj, BaseException):
            if dataclasses.is_dataclass(obj):
                for key, hint in _hints(obj).items():
                    problems += _any_inside(hint, f"{name}.{key}")
            for attr, member in _public_members(obj):
                func = getattr(member, "__func__", member)
                func = getattr(func, "fget", func)  # a property's getter
                if inspect.isfunction(func):
                    for key, hint in _hints(func).items():
                        problems += _any_inside(hint, f"{name}.{attr}({key})")
    return problems


def test_no_any_on_the_public_api() -> None:
    assert _problems() == []


def test_the_check_finds_an_any() -> None:
    """The walk is not vacuous: it reports Any nested in a hint and a bare generic."""
    assert _any_inside(list[dict[str, typing.Any]], "x") == ["x"]
    assert _any_inside(dict, "y") == ["y (bare dict)"]
    assert _any_inside(tuple[int, ...], "z") == []
    hints = _hints(catalog.Catalog.load)
    assert "recommender_loader" in hints and "return" in hints


def test_catalog_attributes_are_declared() -> None:
    """What used to be ~25 attributes set in load: the index parts are declared fields."""
    from catalog.index import CatalogIndex

    fields = {f.name for f in dataclasses.fields(CatalogIndex)}
    assert fields == {"rows", "questions", "search"}
    init = _hints(catalog.Catalog.__init__)
    assert init["index"] is CatalogIndex
