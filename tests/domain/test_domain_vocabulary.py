"""The one vocabulary (domain/vocabulary.py): complete in both languages, the aliases of
DESIGN.md, one display name per platform everywhere, and a leaf that imports nothing else."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from domain import vocabulary as voc
from domain.text import fold

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("key", voc.PLATFORMS)
def test_every_platform_has_every_field_in_both_languages(key: str) -> None:
    p = voc.PLATFORM_INFO[key]
    assert p.key == key
    assert re.fullmatch(r"[a-z]", p.letter)
    assert re.fullmatch(r"#[0-9A-F]{6}", p.color)
    assert set(p.names) == set(voc.LANGUAGES)
    assert all(p.name(lang).strip() for lang in voc.LANGUAGES)
    assert p.aliases and all(voc.platform_key(a) == key for a in p.aliases)
    assert voc.platform_key(p.letter) == key


def test_platform_letters_and_colours_are_unique() -> None:
    assert len(set(voc.PLATFORM_LETTERS.values())) == len(voc.PLATFORMS) == 4
    assert len({p.color for p in voc.PLATFORM_INFO.values()}) == 4
    assert dict(voc.PLATFORM_OF_LETTER) == {
        "a": "amazon",
        "d": "disney",
        "h": "hulu",
        "n": "netflix",
    }


@pytest.mark.parametrize("key", voc.KINDS)
def test_every_kind_has_a_name_in_both_languages_and_a_unit(key: str) -> None:
    k = voc.KIND_INFO[key]
    assert set(k.names) == set(voc.LANGUAGES) and all(k.names.values())
    assert k.duration_type in voc.DURATION_TYPES
    assert voc.KIND_OF_DURATION[k.duration_type] == key


@pytest.mark.parametrize("key", voc.DURATION_TYPES)
def test_every_duration_type_has_a_unit_in_both_languages(key: str) -> None:
    d = voc.DURATION_TYPE_INFO[key]
    assert set(d.units) == set(voc.LANGUAGES) and all(d.units.values())
    assert voc.DURATION_TYPE_OF_CODE[d.code] == key


# DESIGN.md "The questions": platform names accepted loosely.
@pytest.mark.parametrize(
    ("alias", "key"),
    [
        ("netflix", "netflix"),
        ("Netflix", "netflix"),
        ("n", "netflix"),
        ("amazon", "amazon"),
        ("prime", "amazon"),
        ("amazon prime", "amazon"),
        ("Amazon  Prime Video ", "amazon"),
        ("disney", "disney"),
        ("disney+", "disney"),
        ("hulu", "hulu"),
        # one fold (domain.text) for every look-up: punctuation and accents never decide
        ("Disney +", "disney"),
        ("prime-video", "amazon"),
    ],
)
def test_design_platform_aliases(alias: str, key: str) -> None:
    assert voc.platform_key(alias) == key


@pytest.mark.parametrize("bad", ["hbo", "netflixx", "", "amazon video prime", None, 3])
def test_unknown_platform_is_none(bad: object) -> None:
    assert voc.platform_key(bad) is None


@pytest.mark.parametrize(
    ("alias", "key"),
    [
        ("movie", "movie"),
        ("Movies", "movie"),
        ("film", "movie"),
        ("película", "movie"),
        ("peliculas", "movie"),
        ("tv show", "tv show"),
        ("TV  Shows", "tv show"),
        ("show", "tv show"),
        ("series", "tv show"),
        ("serie", "tv show"),
        ("PELÍCULAS", "movie"),
    ],
)
def test_kind_aliases(alias: str, key: str) -> None:
    assert voc.kind_key(alias) == key


@pytest.mark.parametrize(
    ("alias", "key"),
    [("min", "min"), ("Minutes", "min"), ("minutos", "min"), ("seasons", "season"),
     ("temporada", "season")],
)  # fmt: skip
def test_duration_type_aliases(alias: str, key: str) -> None:
    assert voc.duration_type_key(alias) == key
    assert voc.kind_key(alias) is None and voc.platform_key(alias) is None


def test_display_names_resolve_the_old_disagreement() -> None:
    """The bot said "Amazon Prime Video", the charts "Amazon Prime": now both say the first."""
    from charts.base import pname as chart_name
    from chat.i18n import platform_name as bot_name

    expected = {"amazon": "Amazon Prime Video", "disney": "Disney+", "hulu": "Hulu",
                "netflix": "Netflix"}  # fmt: skip
    for key, name in expected.items():
        for lang in voc.LANGUAGES:
            assert voc.platform_name(key, lang) == bot_name(key, lang) == name
        assert chart_name(key) == name
    assert voc.platform_name("peacock") == "Peacock"  # a fifth platform in the data: title-cased


def test_kind_and_unit_words() -> None:
    assert [voc.kind_name(k, "es") for k in voc.KINDS] == ["película", "serie"]
    assert [voc.kind_name(k, "en") for k in voc.KINDS] == ["movie", "show"]
    assert [voc.duration_unit(d, "es") for d in voc.DURATION_TYPES] == ["min", "temp."]
    assert [voc.duration_unit(d, "en") for d in voc.DURATION_TYPES] == ["min", "seasons"]


def test_callback_fields_follow_the_vocabulary() -> None:
    """A platform picked in a wizard travels as its id letter; no other letter is accepted."""
    from chat.callbacks import ExpiredMenu, decode, encode

    for letter in voc.PLATFORM_OF_LETTER:
        assert decode(encode("pc", letter)).fields == (letter,)
    for other in ("x", "p", "ad"):
        with pytest.raises(ExpiredMenu):
            decode(f"v1|pc|{other}")


def test_it_is_a_leaf() -> None:
    """Importing the vocabulary loads no other package of the project and no third-party one,
    so etl and charts can import it without pulling in catalog (or pandas)."""
    code = (
        "import sys; import domain.vocabulary; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    others = {"etl", "model", "catalog", "charts", "bot", "api", "bench", "pandas", "numpy"}
    assert "domain" in out
    assert not others & set(out)


def test_one_column_table_for_the_writers_and_the_reader() -> None:
    """The ETL writes, and Catalog.load checks, the schemas of PROCESSED_COLUMNS; the charts
    get the columns the catalogue serves."""
    from catalog.loading import CONTRACT, NEEDED
    from etl.ratings import RATINGS_SCHEMA, SCORES_SCHEMA
    from etl.titles import DISPLAY_SCHEMA, TITLES_SCHEMA

    written = {"titles": TITLES_SCHEMA, "display": DISPLAY_SCHEMA, "scores": SCORES_SCHEMA,
               "ratings": RATINGS_SCHEMA}  # fmt: skip
    for name, columns in voc.PROCESSED_COLUMNS.items():
        schema = voc.arrow_schema(name)
        assert [(f.name, str(f.type)) for f in schema] == [
            (c, {"date32": "date32[day]", "float64": "double", "float32": "float"}.get(t, t))
            for c, t in columns
        ]
        assert CONTRACT[name] == schema == written[name]
    assert NEEDED["titles"] == voc.SERVED_TITLE_COLUMNS
    assert "show_id" not in voc.SERVED_TITLE_COLUMNS
    assert tuple(CONTRACT["display"].names[1:]) == voc.DISPLAY_COLUMNS


def test_model_and_etl_use_the_vocabulary_not_copies(tmp_path: Path) -> None:
    """model/ filters and checks ratings with the domain's words, the synthetic ratings file has
    the contract's schema, and etl.schema no longer re-exports the platform letters."""
    import pyarrow.parquet as pq

    import etl.schema
    from model import data, recommender, synthetic

    assert recommender.PLATFORM_LETTERS is voc.PLATFORM_LETTERS
    assert recommender.KINDS is voc.KINDS
    assert data.RATING_MIN is voc.RATING_MIN and data.RATING_MAX is voc.RATING_MAX
    assert not hasattr(etl.schema, "PLATFORM_LETTERS")
    frame = synthetic.generate(n_users=5, n_titles=4, n_ratings=20, seed=1).frame
    path = synthetic.write_parquet(frame, tmp_path / "ratings.parquet")
    assert pq.read_schema(path).remove_metadata() == voc.arrow_schema("ratings")


def test_serving_packages_import_neither_etl_nor_model_training() -> None:
    """Imports run one way (DESIGN.md): bot and api -> catalog -> model serving; etl and model
    training talk to the rest only through files."""
    code = (
        "import sys; import bot.app, api.app, catalog; "
        "print(' '.join(sorted(m for m in sys.modules if m == 'etl' or m.startswith('etl.') "
        "or m in ('model.train', 'model.tune', 'model.evaluate'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split() == []


SOURCE_PACKAGES = ("domain", "config", "locales", "charts", "etl", "model", "catalog", "chat",
                   "alerts", "people", "bot", "api", "refresh", "bench")  # fmt: skip


def _source_trees() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(), str(path)))
        for package in SOURCE_PACKAGES
        if (ROOT / package).is_dir()
        for path in sorted((ROOT / package).rglob("*.py"))
    ]


def test_one_home_per_shared_word() -> None:
    """Issue 24 item 5: title folding, the languages and the platform aliases live in domain/
    only. Elsewhere no function folds text, no tuple lists the languages and no string spells
    out a platform's aliases (messages are written from the tables: accepted_words)."""
    aliases = {a for p in voc.PLATFORM_INFO.values() for a in p.aliases if len(a) > 3}
    found = []
    for path, tree in _source_trees():
        if path.parent.name == "domain":
            continue
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in (
                "fold",
                "normalise",
                "normalize",
            ):
                found.append(f"{where}: def {node.name}")
            if isinstance(node, ast.Tuple) and [
                e.value for e in node.elts if isinstance(e, ast.Constant)
            ] == list(voc.LANGUAGES):
                found.append(f"{where}:{node.lineno}: a tuple of the languages")
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                said = [
                    a
                    for a in aliases
                    if re.search(rf"(?<![\w+]){re.escape(a)}(?![\w+])", node.value)
                ]
                said = [a for a in said if not any(a != b and a in b for b in said)]
                if len(said) > 1:
                    found.append(f"{where}:{node.lineno}: aliases in prose {said}")
    assert found == []


def test_messages_name_every_accepted_word_from_the_tables() -> None:
    from api.accepted import ACCEPTED
    from catalog.errors import QueryError
    from catalog.validate import parse_platform

    with pytest.raises(QueryError) as info:
        parse_platform("hbo")
    for p in voc.PLATFORM_INFO.values():
        for text in (str(info.value), ACCEPTED["platform"]):
            assert p.key in text and all(fold(a) in fold(text) for a in p.aliases)
