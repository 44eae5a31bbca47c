"""QueryError carries a known code, the argument and the value; front ends translate by code."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from catalog import browse, errors
from catalog import validate as v
from catalog.results import SearchHit
from domain.genres import GENRES
from domain.vocabulary import KINDS, PLATFORMS

ROOT = Path(__file__).resolve().parents[2]
ERROR_CLASSES = {"QueryError", "TitleNotFound", "AmbiguousTitle"}
# The code each subclass sets for itself.
SUBCLASS_CODES = {"TitleNotFound": "title_not_found", "AmbiguousTitle": "ambiguous_title"}


def _source_files() -> list[Path]:
    """The packages that raise or translate query errors (not data/, not the tests)."""
    packages = ("catalog", "domain", "chat", "alerts", "bot", "api", "charts", "config", "model")
    return [p for package in packages for p in sorted((ROOT / package).rglob("*.py"))]


def _constructions() -> list[tuple[str, int, str, ast.Call]]:
    """Every `QueryError(...)` / `TitleNotFound(...)` / `AmbiguousTitle(...)` call in the code."""
    found = []
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ERROR_CLASSES:
                found.append((str(path.relative_to(ROOT)), node.lineno, name, node))
    return found


def test_every_raise_site_uses_a_known_code() -> None:
    sites = _constructions()
    assert len(sites) >= len(errors.QUERY_ERROR_CODES)  # the walk found the parsers' raise sites
    used = set()
    for path, line, name, call in sites:
        if name in SUBCLASS_CODES:
            used.add(SUBCLASS_CODES[name])
            continue
        first = call.args[0] if call.args else None
        if not isinstance(first, ast.Constant):
            # A front end may pass a code it looked up (typed QueryErrorCode: mypy checks it);
            # the catalogue itself names each code where it raises.
            assert not path.startswith("catalog"), f"{path}:{line}: code must be a literal"
            continue
        known = first.value in errors.QUERY_ERROR_CODES
        assert known, f"{path}:{line}: unknown code {first.value!r}"
        assert len(call.args) >= 4, f"{path}:{line}: give code, arg, value and message"
        if path.startswith("catalog"):
            used.add(first.value)
    # No code is listed that the catalogue never raises: front ends would translate a dead code.
    assert used == set(errors.QUERY_ERROR_CODES)


def test_subclass_codes_match_the_classes() -> None:
    assert errors.TitleNotFound("zzz").code == "title_not_found"
    hit = SearchHit("ns1", "Dick Johnson Is Dead", "netflix", "Movie", 2020, 100.0)
    e = errors.AmbiguousTitle("dick", (hit,))
    assert (e.code, e.arg, e.value) == ("ambiguous_title", "title", "dick")
    assert e.candidates == (hit,) and e.params["candidates"] == (hit,)
    assert "Dick Johnson Is Dead (netflix, 2020, id ns1)" in str(e)


CASES: list[tuple[Callable[[object], object], object, str, str, dict[str, object]]] = [
    (v.parse_platform, "hbo", "unknown_platform", "platform", {"accepted": PLATFORMS}),
    (v.parse_optional_platform, "x", "unknown_platform", "platform", {}),
    (v.parse_year, "20x0", "invalid_year", "year", {"min": v.YEAR_MIN, "max": v.YEAR_MAX}),
    (v.parse_optional_year, 1800, "invalid_year", "year", {}),
    (v.parse_score, "9", "invalid_score", "score", {"min": 0.0, "max": 5.0}),
    (v.parse_duration_type, "hours", "invalid_duration_type", "duration_type", {}),
    (v.parse_kind, "cartoon", "unknown_kind", "kind", {"accepted": KINDS}),
    (v.parse_limit, 0, "invalid_limit", "limit", {"min": 1, "max": v.LIMIT_MAX}),
    (lambda x: v.parse_limit(x, "n"), "many", "invalid_limit", "n", {}),
    (v.parse_offset, -1, "invalid_offset", "offset", {"min": 0}),
    (v.parse_user_id, "bob", "invalid_user", "user_id", {"max": v.USER_ID_MAX}),
    (v.parse_text, "  ", "empty_text", "title", {}),
    (lambda x: v.parse_text(x, "search text"), None, "empty_text", "search_text", {}),
    (v.parse_text, "x" * 201, "text_too_long", "title", {"max": 200, "length": 201}),
    (v.parse_rating, 0, "invalid_rating", "rating", {"min": 0.5, "max": 5.0}),
    (v.parse_ratings, [1], "invalid_ratings", "ratings", {}),
    (v.parse_ratings, {"ns1": 7}, "invalid_rating", "rating", {}),
    (v.parse_ratings, {"": 3}, "empty_text", "title_id", {}),
    (browse.parse_genre, "cartoonz", "unknown_genre", "genre", {"accepted": GENRES}),
    (browse.parse_sort, "worst", "invalid_sort", "sort", {"accepted": ("score", "newest")}),
    (browse.parse_words, "blah", "unknown_word", "words", {}),
    (browse.parse_decade, "1995", "invalid_year", "decade", {}),
]


@pytest.mark.parametrize(("parse", "bad", "code", "arg", "params"), CASES)
def test_parsers_raise_code_arg_value_and_params(
    parse: Callable[[object], object], bad: object, code: str, arg: str, params: dict
) -> None:
    with pytest.raises(errors.QueryError) as info:
        parse(bad)
    e = info.value
    assert (e.code, e.arg) == (code, arg)
    if not isinstance(bad, dict):  # a mapping's error names the one entry that is wrong
        assert e.value == bad
    assert str(e) == e.message and str(e)  # the English text stays str(e)
    for key, value in params.items():
        assert e.params[key] == value
    with pytest.raises(TypeError):
        e.params["min"] = 0  # type: ignore[index]  # read-only: one error, one meaning


def test_every_code_is_reached_by_a_case() -> None:
    codes = {code for *_, code, _arg, _params in CASES} | set(errors.QUERY_ERROR_CODES[-2:])
    assert codes == set(errors.QUERY_ERROR_CODES)


def test_query_error_is_still_a_value_error() -> None:
    with pytest.raises(ValueError, match="invalid year 'soon'"):
        v.parse_year("soon")
