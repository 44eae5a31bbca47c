"""One genre vocabulary across the four platforms: each platform's own labels ("Comedies",
"TV Comedies", "Comedy", "Sitcom") mapped to one key ("comedy") with a name per language.

PROVISIONAL (helper `firstapi`, issue 22): the cross-platform vocabulary of issue 21 is being
written by another branch; this is the smallest table with the same interface, `genre_key(label)`
and `genre_name(key, lang)`, for browsing and the EDA to be written against. The lead reconciles
the two at merge: callers use only the functions below.

Every label of the real files (../shared/data/raw/titles, 2021) is either mapped or listed in
NOT_GENRES (labels that say what a title is on the platform, not what it is about). Amazon's
"Arts, Entertainment, and Culture" arrives split on its commas: its three pieces map to "arts".
A leaf: standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Genre:
    key: str
    names: Mapping[str, str]  # display name per language ("Comedy", "Comedia")
    labels: tuple[str, ...]  # the platforms' labels (lower-case) meaning it
    words: tuple[str, ...] = ()  # more words people type for it (lower-case, either language)

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


def _g(key: str, en: str, es: str, labels: Iterable[str], words: Iterable[str] = ()) -> Genre:
    return Genre(key, MappingProxyType({"en": en, "es": es}), tuple(labels), tuple(words))


# In the order lists show them: the most common first.
_GENRES = (
    _g("drama", "Drama", "Drama", ("drama", "dramas", "tv dramas", "soap opera / melodrama",
       "medical"), ("dramas",)),
    _g("comedy", "Comedy", "Comedia", ("comedy", "comedies", "tv comedies", "sitcom",
       "sketch comedy", "parody", "buddy", "romantic comedy"), ("comedies", "comedias")),
    _g("action", "Action & adventure", "Acción y aventura", ("action", "action & adventure",
       "action-adventure", "tv action & adventure", "adventure", "superhero", "survival",
       "disaster"), ("adventure", "accion", "aventura")),
    _g("international", "International", "Internacional", ("international",
       "international movies", "international tv shows", "british tv shows",
       "korean tv shows", "spanish-language tv shows"), ("internacional",)),
    _g("documentary", "Documentary", "Documental", ("documentary", "documentaries",
       "docuseries"), ("documentaries", "docs", "documentales")),
    _g("kids", "Kids & family", "Infantil y familiar", ("kids", "kids' tv", "family",
       "children & family movies", "cartoons"), ("family", "children", "familia", "ninos")),
    _g("thriller", "Thriller & suspense", "Suspense", ("thriller", "thrillers", "tv thrillers",
       "suspense", "spy/espionage"), ("thrillers", "suspenso")),
    _g("horror", "Horror", "Terror", ("horror", "horror movies", "tv horror"), ("miedo",)),
    _g("romance", "Romance", "Romance", ("romance", "romantic movies", "romantic tv shows"),
       ("romantic", "romantica")),
    _g("animation", "Animation", "Animación", ("animation", "adult animation"),
       ("animated", "animacion", "dibujos")),
    _g("anime", "Anime", "Anime", ("anime", "anime features", "anime series")),
    _g("scifi", "Science fiction & fantasy", "Ciencia ficción y fantasía", ("science fiction",
       "sci-fi & fantasy", "tv sci-fi & fantasy", "fantasy"), ("sci-fi", "scifi", "fantasy",
       "ciencia ficcion", "fantasia")),
    _g("crime", "Crime", "Policíaca", ("crime", "crime tv shows", "police/cop"),
       ("policiaca", "crimen")),
    _g("mystery", "Mystery", "Misterio", ("mystery", "tv mysteries"), ("misterio",)),
    _g("independent", "Independent & arthouse", "Independiente", ("independent movies",
       "arthouse", "cult movies"), ("indie", "independiente")),
    _g("music", "Music & musicals", "Música y musicales", ("music", "music & musicals",
       "musical", "music videos and concerts", "concert film", "dance"),
       ("musicals", "musica", "musicales")),
    _g("reality", "Reality & game shows", "Reality y concursos", ("reality", "reality tv",
       "unscripted", "game shows", "game show / competition"), ("concursos",)),
    _g("standup", "Stand-up & talk shows", "Monólogos y entrevistas", ("stand up",
       "stand-up comedy", "stand-up comedy & talk shows", "talk show", "talk show and variety",
       "late night", "variety"), ("stand-up", "stand up", "monologos")),
    _g("sports", "Sports & fitness", "Deportes", ("sports", "sports movies", "fitness"),
       ("sport", "deportes", "deporte")),
    _g("teen", "Teen & coming of age", "Adolescentes", ("teen", "teen tv shows",
       "young adult audience", "coming of age"), ("adolescentes", "juvenil")),
    _g("history", "History & war", "Historia y guerra", ("history", "historical",
       "military and war", "biographical"), ("war", "historia", "guerra")),
    _g("nature", "Nature & science", "Naturaleza y ciencia", ("animals & nature",
       "science & nature tv", "science & technology"), ("science", "naturaleza", "ciencia")),
    _g("lifestyle", "Lifestyle & food", "Estilo de vida y cocina", ("lifestyle",
       "lifestyle & culture", "cooking & food", "health & wellness", "travel"),
       ("food", "cooking", "cocina")),
    _g("classic", "Classics", "Clásicos", ("classic movies", "classics",
       "classic & cult tv"), ("classics", "clasicos")),
    _g("western", "Western", "Wéstern", ("western",), ("westerns", "oeste")),
    _g("lgbtq", "LGBTQ+", "LGBTQ+", ("lgbtq", "lgbtq movies", "lgbtq+")),
    _g("faith", "Faith & spirituality", "Fe y espiritualidad", ("faith & spirituality",
       "faith and spirituality"), ("religion", "fe")),
    _g("arts", "Arts & culture", "Arte y cultura", ("arts", "entertainment", "and culture"),
       ("arte", "cultura")),
    _g("black_stories", "Black stories", "Historias negras", ("black stories",)),
    _g("latino", "Latino", "Latino", ("latino",)),
    _g("news", "News", "Noticias", ("news",), ("noticias",)),
    _g("anthology", "Anthology", "Antología", ("anthology",), ("antologia",)),
)  # fmt: skip
# Labels that are no genre: the kind ("Movies", "TV Shows"), or a shelf ("Special Interest").
NOT_GENRES = frozenset({"movies", "series", "tv shows", "special interest"})

GENRE_INFO: Mapping[str, Genre] = MappingProxyType({g.key: g for g in _GENRES})
GENRES: tuple[str, ...] = tuple(GENRE_INFO)
_OF_LABEL: Mapping[str, str] = MappingProxyType(
    {label: g.key for g in _GENRES for label in g.labels}
)
_FOLD = re.compile(r"[^a-z0-9+]+")


def _plain(text: str) -> str:
    """Lower-case, accents off, punctuation as single spaces: 'Acción  y aventura' -> 'accion y
    aventura'. Standard library only (a leaf)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _FOLD.sub(" ", bare).strip()


def _word_table() -> Mapping[str, str]:
    table: dict[str, str] = {}
    for g in _GENRES:
        for word in (g.key, *g.labels, *g.words, *g.names.values()):
            table.setdefault(_plain(word), g.key)
    return MappingProxyType(table)


_OF_WORD = _word_table()


def genre_key(raw_label: object) -> str | None:
    """The genre a platform's label means ('TV Comedies' -> 'comedy'); None when the label is
    no genre ('Movies') or unknown."""
    if not isinstance(raw_label, str):
        return None
    return _OF_LABEL.get(" ".join(raw_label.strip().lower().split()))


def genre_name(key: str, lang: str = "en") -> str:
    """The genre's display name in `lang` ('comedy', 'es' -> 'Comedia'); an unknown key as is."""
    info = GENRE_INFO.get(key)
    return info.name(lang) if info else key


def genre_keys(listed_in: object) -> tuple[str, ...]:
    """The genres of a `listed_in` cell ('Comedies, International Movies'), each once, in the
    cell's order; labels that are no genre are left out."""
    if not isinstance(listed_in, str):
        return ()
    found: dict[str, None] = {}
    for label in listed_in.split(","):
        key = genre_key(label)
        if key is not None:
            found.setdefault(key)
    return tuple(found)


def genre_of_word(text: object) -> str | None:
    """What a person typed for a genre, in either language ('comedias', 'Sci-Fi', 'comedy',
    'ciencia ficción'): the key, or None."""
    if not isinstance(text, str):
        return None
    return _OF_WORD.get(_plain(text))
