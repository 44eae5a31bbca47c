"""The domain's words, defined once: platforms, kinds, duration types, the rating scale and the
columns of the processed files.

A leaf: it imports only the standard library (and domain.text), so etl, model, catalog, charts,
bot and api all import it without pulling in one another (charts stays free of catalog, etl of
the bot). Aliases are written as people type them ("disney+"); the look-up tables hold them
folded (domain.text.fold) and a look-up folds the text the same way first, so case, accents,
spacing and punctuation never decide which platform, kind or unit a word names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, get_args
from urllib.parse import quote

from domain.text import fold

if TYPE_CHECKING:
    import pyarrow as pa

# The languages every display name is written in (tests/domain/test_domain_vocabulary.py checks it).
LanguageKey = Literal["en", "es"]
LANGUAGES: tuple[str, ...] = get_args(LanguageKey)

# The canonical keys as types, so the API's response schemas and a type checker see the same set
# the tables below define (a module-level check keeps the two equal).
PlatformKey = Literal["amazon", "disney", "hulu", "netflix"]
KindKey = Literal["movie", "tv show"]
DurationTypeKey = Literal["min", "season"]
# What a title's `release_year` counts (docs/data.md, "What release_year means"): a movie's
# release; for a show, the year its first season aired on Disney+ and Hulu ("since 1989"), its
# latest season on Amazon and Netflix ("latest season 2019"). Checked against the real files.
YearMeaning = Literal["release", "first_season", "latest_season"]


@dataclass(frozen=True)
class Platform:
    """One streaming platform."""

    key: str  # canonical name: titles.parquet's `platform`, the API's value
    letter: str  # prefixes show_id in a title id (DESIGN rule 1); a platform in callback data
    names: Mapping[str, str]  # display name per language
    aliases: tuple[str, ...]  # words accepted for it besides the key (the letter among them)
    color: str  # the one colour charts draw it in (close to the brand, apart in lightness)
    # The platform's own search page, {q} the URL-quoted title: a title card links there (the
    # Kaggle files carry no per-title links, and a search page survives id changes)
    search_url: str = ""
    # What a show's release_year is on this platform: its first or its latest season
    show_year: YearMeaning = "latest_season"

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]

    def search_link(self, title: str) -> str:
        return self.search_url.format(q=quote(title))


@dataclass(frozen=True)
class Kind:
    """Movie or TV show: titles.parquet's `type`."""

    key: str
    names: Mapping[str, str]  # the word for it inside a sentence, per language
    aliases: tuple[str, ...]
    duration_type: str  # the unit its length is counted in

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


@dataclass(frozen=True)
class DurationType:
    """The unit of duration_int: minutes (movies) or seasons (shows)."""

    key: str
    code: str  # one letter for it in callback data
    units: Mapping[str, str]  # the short unit written after a number, per language
    aliases: tuple[str, ...]

    def unit(self, lang: str = "en") -> str:
        return self.units.get(lang) or self.units["en"]


def _names(en: str, es: str) -> Mapping[str, str]:
    return MappingProxyType({"en": en, "es": es})


_PLATFORMS = (
    Platform(
        key="amazon",
        letter="a",
        names=_names("Amazon Prime Video", "Amazon Prime Video"),
        aliases=(
            "a",
            "prime",
            "amazon prime",
            "prime video",
            "amazon prime video",
            "amazonprime",
        ),
        color="#1399D6",
        search_url="https://www.primevideo.com/search/?phrase={q}",
        show_year="latest_season",  # Bones 2017 (Hulu: 2005), Vikings 2020 (Hulu: 2011)
    ),
    Platform(
        key="disney",
        letter="d",
        names=_names("Disney+", "Disney+"),
        aliases=("d", "disney+", "disney plus", "disneyplus"),
        color="#25307F",
        search_url="https://www.disneyplus.com/search?q={q}",
        show_year="first_season",  # The Simpsons 1989 with 32 seasons
    ),
    Platform(
        key="hulu",
        letter="h",
        names=_names("Hulu", "Hulu"),
        aliases=("h",),
        color="#2FA35B",
        search_url="https://www.hulu.com/search?q={q}",
        show_year="first_season",  # Survivor 2000 with 34 seasons, Family Guy 1999
    ),
    Platform(
        key="netflix",
        letter="n",
        names=_names("Netflix", "Netflix"),
        aliases=("n",),
        color="#D81F26",
        search_url="https://www.netflix.com/search?q={q}",
        show_year="latest_season",  # Grey's Anatomy 2020 with 17 seasons
    ),
)
_KINDS = (
    Kind(
        key="movie",
        names=_names("movie", "película"),
        aliases=("movies", "film", "films", "pelicula", "película", "peliculas", "películas"),
        duration_type="min",
    ),
    Kind(
        key="tv show",
        names=_names("show", "serie"),
        aliases=("tv shows", "show", "shows", "tv", "series", "serie"),
        duration_type="season",
    ),
)
_DURATION_TYPES = (
    DurationType(
        key="min",
        code="m",
        units=_names("min", "min"),
        aliases=("mins", "minute", "minutes", "minuto", "minutos"),
    ),
    DurationType(
        key="season",
        code="s",
        units=_names("seasons", "temp."),
        aliases=("seasons", "temporada", "temporadas"),
    ),
)

PLATFORM_INFO: Mapping[str, Platform] = MappingProxyType({p.key: p for p in _PLATFORMS})
KIND_INFO: Mapping[str, Kind] = MappingProxyType({k.key: k for k in _KINDS})
DURATION_TYPE_INFO: Mapping[str, DurationType] = MappingProxyType(
    {d.key: d for d in _DURATION_TYPES}
)

PLATFORMS: tuple[str, ...] = tuple(PLATFORM_INFO)  # in the order every list shows them
KINDS: tuple[str, ...] = tuple(KIND_INFO)
DURATION_TYPES: tuple[str, ...] = tuple(DURATION_TYPE_INFO)
PLATFORM_LETTERS: Mapping[str, str] = MappingProxyType({p.key: p.letter for p in _PLATFORMS})
PLATFORM_OF_LETTER: Mapping[str, str] = MappingProxyType({p.letter: p.key for p in _PLATFORMS})
KIND_OF_DURATION: Mapping[str, str] = MappingProxyType({k.duration_type: k.key for k in _KINDS})
DURATION_TYPE_OF_CODE: Mapping[str, str] = MappingProxyType(
    {d.code: d.key for d in _DURATION_TYPES}
)


def _alias_table(records: Iterable[Platform | Kind | DurationType]) -> Mapping[str, str]:
    table: dict[str, str] = {}
    for record in records:
        for alias in map(fold, (record.key, *record.aliases)):
            if table.setdefault(alias, record.key) != record.key:
                raise ValueError(f"alias {alias!r} names both {table[alias]} and {record.key}")
    return MappingProxyType(table)


PLATFORM_ALIASES: Mapping[str, str] = _alias_table(_PLATFORMS)
KIND_ALIASES: Mapping[str, str] = _alias_table(_KINDS)
DURATION_TYPE_ALIASES: Mapping[str, str] = _alias_table(_DURATION_TYPES)

# The Literal types and the tables must name the same keys, in the same order.
_LITERAL_KEYS = tuple(get_args(t) for t in (PlatformKey, KindKey, DurationTypeKey))
if _LITERAL_KEYS != (PLATFORMS, KINDS, DURATION_TYPES):
    raise ValueError("domain.vocabulary: a Literal key type differs from its table")

# The rating scale of the ratings (MovieLens stars: 0.5 to 5 in halves).
RATING_MIN, RATING_MAX = 0.5, 5.0

# The contract of data/processed/ (docs/data.md): each file's columns in order with its Arrow
# type, named by pyarrow's factory (pa.string(), pa.int32(), ...) so this leaf needs no pyarrow.
# The ETL writes these schemas and Catalog.load checks them (catalog/loading.py).
PROCESSED_COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        "titles": (
            ("id", "string"),
            ("platform", "string"),
            ("show_id", "string"),
            ("type", "string"),
            ("title", "string"),
            ("director", "string"),
            ("cast", "string"),
            ("country", "string"),
            ("date_added", "date32"),
            ("release_year", "int32"),
            ("rating", "string"),
            ("duration_int", "int32"),
            ("duration_type", "string"),
            ("listed_in", "string"),
            ("description", "string"),
        ),
        "display": (
            ("id", "string"),
            ("title", "string"),
            ("director", "string"),
            ("cast", "string"),
            ("country", "string"),
            ("rating", "string"),
            ("listed_in", "string"),
            ("description", "string"),
        ),
        "scores": (("id", "string"), ("score", "float64"), ("votes", "int64")),
        "ratings": (
            ("userId", "int32"),
            ("rating", "float32"),
            ("timestamp", "date32"),
            ("movieId", "string"),
        ),
    }
)
# The content features beside the parquet files (etl/content.py writes, model/content.py reads;
# docs/data.md "content.npz"): a sparse row of what each title is made of.
CONTENT_FILE = "content.npz"
CONTENT_FORMAT = "streamrec-content-1"
# display.parquet's text: every text a person reads, in its original casing (issue 14: cards and
# the API showed "rating": "g" and "In paris..."). type is a machine value, not here.
DISPLAY_COLUMNS: tuple[str, ...] = tuple(n for n, _ in PROCESSED_COLUMNS["display"] if n != "id")
# The titles.parquet columns the catalogue serves and the charts read: all but the raw show_id.
SERVED_TITLE_COLUMNS: tuple[str, ...] = tuple(
    n for n, _ in PROCESSED_COLUMNS["titles"] if n != "show_id"
)


def arrow_schema(name: str) -> pa.Schema:
    """PROCESSED_COLUMNS[name] as a pyarrow schema (pyarrow is imported on the first call, so
    importing this module stays free of it)."""
    import pyarrow as pa

    return pa.schema([(column, getattr(pa, kind)()) for column, kind in PROCESSED_COLUMNS[name]])


# Words for "every platform" where a platform is optional (the bot's All button, the API's
# platform=all): no platform filter, on purpose.
ALL_PLATFORM_WORDS = frozenset({"all", "any", "todas", "todos", "cualquiera", "*"})


def platform_key(text: object) -> str | None:
    """The platform an alias names ('Prime' -> 'amazon'); None when it names none."""
    return PLATFORM_ALIASES.get(fold(text)) if isinstance(text, str) else None


def kind_key(text: object) -> str | None:
    """The kind an alias names ('series' -> 'tv show'); None when it names none."""
    return KIND_ALIASES.get(fold(text)) if isinstance(text, str) else None


def duration_type_key(text: object) -> str | None:
    """The duration type an alias names ('minutes' -> 'min'); None when it names none."""
    return DURATION_TYPE_ALIASES.get(fold(text)) if isinstance(text, str) else None


def accepted_words(
    records: Iterable[Platform | Kind | DurationType],
    also: str = "also {others}",
    alias: str = "{words} for {key}",
) -> str:
    """Every word a look-up accepts, for messages: "amazon, disney, hulu, netflix (also a, prime,
    ... for amazon; d, disney+, ... for disney; h for hulu; n for netflix)". Written from the
    tables, so a new platform or alias is in every message without another edit. `also` and
    `alias` are the connecting words in another language ("también {others}", "{words} para
    {key}")."""
    keys: list[str] = []
    others: list[str] = []
    for r in records:
        keys.append(r.key)
        # one spelling per folded form: "pelicula" stands for "película" too
        seen: set[str] = set()
        words: list[str] = []
        for a in r.aliases:
            if fold(a) not in seen:
                seen.add(fold(a))
                words.append(a)
        if words:
            others.append(alias.format(words=", ".join(words), key=r.key))
    return ", ".join(keys) + (f" ({also.format(others='; '.join(others))})" if others else "")


def platform_name(key: str, lang: str = "en") -> str:
    """A platform's display name; an unknown key title-cased (data may carry a fifth one)."""
    info = PLATFORM_INFO.get(key)
    return info.name(lang) if info else key.title()


def year_meaning(platform: str, kind: str) -> YearMeaning:
    """What `release_year` counts for a title of this platform and kind: 'release' (movies),
    'first_season' or 'latest_season' (shows; docs/data.md). Front ends word the year by it:
    "since 1989" for a first season, "latest season 2019" for a latest one."""
    if kind != "tv show":
        return "release"
    info = PLATFORM_INFO.get(platform)
    return info.show_year if info else "latest_season"


def kind_name(key: str, lang: str = "en") -> str:
    """'movie' / 'show' (en), 'película' / 'serie' (es); an unknown kind as it is."""
    info = KIND_INFO.get(key)
    return info.name(lang) if info else key


def duration_unit(key: str, lang: str = "en") -> str:
    """The unit after a length: 'min', 'seasons' (en) / 'temp.' (es); unknown as it is."""
    info = DURATION_TYPE_INFO.get(key)
    return info.unit(lang) if info else key
