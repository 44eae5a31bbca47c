"""One genre vocabulary across the four platforms.

Each platform words its `listed_in` labels its own way ("Dramas" on Netflix, "Drama" on Amazon
and Hulu, "TV Dramas" for Netflix's shows; "Sci-Fi & Fantasy", "Science Fiction", "Fantasy"), so
a label is mapped to one cross-platform genre key here, with its display name in every language
of `domain.vocabulary.LANGUAGES`. The ETL's content features, the hybrid recommender, the
reasons of /similar and the EDA all read genres through this table.

A leaf like domain/vocabulary.py: standard library only. A label nobody listed here still gets a
key (its normalised words, "k_drama"), shown as the platform wrote it: new labels degrade to
"their own genre", never to an error. Labels that say what a title is on the platform, not what
it is about ("Movies", "TV Shows", "Series", "Special Interest": `NOT_GENRES`), have no genre.
People may type a genre in either language ("comedias", "ciencia ficción", "kids"):
`genre_of_word` finds it from its key, labels, names and the extra `words` listed here.
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
    names: Mapping[str, str]  # display name per language ("Drama", "Drama")
    labels: tuple[str, ...]  # the platforms' labels (and spellings) that mean it, lower-case
    # False for labels that say little about taste ("Movies", "TV Shows", "International"): they
    # count as features but are never given as a reason ("also international" helps nobody).
    telling: bool = True
    words: tuple[str, ...] = ()  # more words people type for it (either language)

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


def _g(
    key: str, en: str, es: str, *labels: str, telling: bool = True, words: tuple[str, ...] = ()
) -> Genre:
    return Genre(key, MappingProxyType({"en": en, "es": es}), labels, telling, words)


# Every label of the real files (../shared/data/raw/titles, 2021 Kaggle snapshots) is listed;
# tests/domain/test_domain_genres.py checks that none falls through to the fallback.
_TABLE: tuple[Genre, ...] = (
    _g("action", "Action & Adventure", "Acción y aventura", "action", "action & adventure",
       "action-adventure", "adventure", "tv action & adventure", "disaster", "survival",
       "buddy",
       words=("adventure", "accion", "aventura")),
    _g("animation", "Animation", "Animación", "animation", "adult animation", "cartoons",
       words=("animated", "animacion", "dibujos")),
    _g("anime", "Anime", "Anime", "anime", "anime features", "anime series"),
    _g("arts", "Arts & Culture", "Arte y cultura", "arts, entertainment, and culture", "arts",
       "entertainment", "and culture", "lifestyle & culture", "lifestyle", "travel",
       "cooking & food"),
    _g("classic", "Classics & Cult", "Clásicos y de culto", "classic movies", "classics",
       "classic & cult tv", "cult movies",
       words=("clasicos",)),
    _g("comedy", "Comedy", "Comedia", "comedy", "comedies", "tv comedies", "sitcom",
       "sketch comedy", "parody", "romantic comedy",
       words=("comedias",)),
    _g("crime", "Crime", "Crimen", "crime", "crime tv shows", "police/cop",
       words=("crimen", "policiaca", "policiacas")),
    _g("documentary", "Documentary", "Documental", "documentary", "documentaries",
       "docuseries",
       words=("docs", "documentales")),
    _g("drama", "Drama", "Drama", "drama", "dramas", "tv dramas", "soap opera / melodrama",
       "medical", "anthology"),
    _g("faith", "Faith & Spirituality", "Fe y espiritualidad", "faith & spirituality",
       "faith and spirituality"),
    _g("family", "Kids & Family", "Infantil y familiar", "family", "kids", "kids' tv",
       "children & family movies",
       words=("kids & family", "children", "familia", "infantil", "ninos")),
    _g("fitness", "Health & Fitness", "Salud y bienestar", "fitness", "health & wellness"),
    _g("history", "History & Biography", "Historia y biografías", "history", "historical",
       "biographical",
       words=("historia", "biografia", "biografias")),
    _g("horror", "Horror", "Terror", "horror", "horror movies", "tv horror",
       words=("miedo",)),
    _g("independent", "Independent", "Independiente", "independent movies", "arthouse",
       words=("indie",)),
    _g("international", "International", "Internacional", "international",
       "international movies", "international tv shows", telling=False),
    _g("british", "British", "Británico", "british tv shows"),
    _g("korean", "Korean", "Coreano", "korean tv shows"),
    _g("spanish", "Spanish-Language", "En español", "spanish-language tv shows", "latino"),
    _g("black_stories", "Black Stories", "Historias afroamericanas", "black stories"),
    _g("lgbtq", "LGBTQ+", "LGBTQ+", "lgbtq", "lgbtq+", "lgbtq movies"),
    _g("music", "Music & Musicals", "Música y musicales", "music", "music & musicals",
       "musical", "concert film", "music videos and concerts", "dance",
       words=("musicals", "musica", "musicales")),
    _g("mystery", "Mystery", "Misterio", "mystery", "tv mysteries",
       words=("misterio",)),
    _g("news", "News", "Noticias", "news"),
    _g("reality", "Reality & Game Shows", "Reality y concursos", "reality", "reality tv",
       "unscripted", "game shows", "game show / competition",
       words=("concursos",)),
    _g("romance", "Romance", "Romance", "romance", "romantic movies", "romantic tv shows",
       words=("romantic", "romantica", "romanticas")),
    _g("science", "Science & Nature", "Ciencia y naturaleza", "science & nature tv",
       "science & technology", "animals & nature"),
    _g("scifi_fantasy", "Sci-Fi & Fantasy", "Ciencia ficción y fantasía", "sci-fi & fantasy",
       "tv sci-fi & fantasy", "science fiction", "fantasy", "superhero",
       words=("sci-fi", "scifi", "ciencia ficcion", "fantasia")),
    _g("sports", "Sports", "Deportes", "sports", "sports movies",
       words=("sport", "deporte")),
    _g("standup", "Stand-Up & Talk Shows", "Monólogos y entrevistas", "stand up",
       "stand-up comedy", "stand-up comedy & talk shows", "talk show", "talk show and variety",
       "late night", "variety"),
    _g("teen", "Teen & Coming of Age", "Adolescentes", "teen", "teen tv shows",
       "coming of age", "young adult audience",
       words=("juvenil",)),
    _g("thriller", "Thriller", "Suspense", "thriller", "thrillers", "tv thrillers", "suspense",
       "spy/espionage",
       words=("suspenso",)),
    _g("war", "War & Military", "Bélico", "military and war",
       words=("war", "guerra", "belica", "belicas")),
    _g("western", "Western", "Wéstern", "western",
       words=("westerns", "oeste")),
)  # fmt: skip

GENRE_INFO: Mapping[str, Genre] = MappingProxyType({g.key: g for g in _TABLE})
GENRES: tuple[str, ...] = tuple(GENRE_INFO)  # the keys, in the table's order
# Labels that say what a title is on the platform, not what it is about: no genre.
NOT_GENRES = frozenset({"movies", "tv shows", "series", "special interest"})
_BY_LABEL: Mapping[str, str] = MappingProxyType(
    {label: g.key for g in _TABLE for label in g.labels}
)
# Labels that themselves hold commas (Amazon's "Arts, Entertainment, and Culture"): split on
# commas they would become three labels, one of them "and Culture".
_COMMA_LABELS = tuple(sorted((lbl for lbl in _BY_LABEL if "," in lbl), key=len, reverse=True))
# Words a platform adds to say movie or show, stripped before the fallback's second lookup.
_KIND_WORDS = re.compile(r"^(tv|movies?|series)\s+|\s+(tv shows?|tv|movies|series|features)$")


def _norm(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().lower())


def genre_key(label: object) -> str | None:
    """The genre key of one platform label ("TV Dramas" -> "drama"); an unknown label gets its
    own key from its words without the movie/show suffix ("Telenovela TV Shows" -> "telenovela");
    None for no genre: a label in NOT_GENRES, a blank one, or not text."""
    if not isinstance(label, str):
        return None
    text = _norm(label)
    if not text or text in NOT_GENRES:
        return None
    if text in _BY_LABEL:
        return _BY_LABEL[text]
    bare = _KIND_WORDS.sub("", text).strip()
    if bare in _BY_LABEL:
        return _BY_LABEL[bare]
    return re.sub(r"[^0-9a-z]+", "_", bare or text).strip("_") or None


def split_labels(listed_in: object) -> list[str]:
    """The labels of one `listed_in` cell, as written ("Dramas, International Movies")."""
    text = listed_in if isinstance(listed_in, str) else ""
    keep: list[str] = []
    low = text.lower()
    for whole in _COMMA_LABELS:  # take the comma-holding labels out first
        at = low.find(whole)
        if at >= 0:
            keep.append(text[at : at + len(whole)])
            text, low = text[:at] + text[at + len(whole) :], low[:at] + low[at + len(whole) :]
    return keep + [p.strip() for p in text.split(",") if p.strip()]


def genre_keys(listed_in: object) -> tuple[str, ...]:
    """The distinct genre keys of one `listed_in` cell, in the order first listed; labels that
    are no genre are left out."""
    keys = (genre_key(lbl) for lbl in split_labels(listed_in))
    return tuple(dict.fromkeys(k for k in keys if k is not None))


def genre_name(key: str, lang: str = "en") -> str:
    """The display name of a genre key; an unknown key reads as its words ("telenovela" ->
    "Telenovela"), the same in every language (it is the platform's own word)."""
    genre = GENRE_INFO.get(key)
    if genre is not None:
        return genre.name(lang)
    return key.replace("_", " ").capitalize()


def is_telling(key: str) -> bool:
    """Whether sharing this genre is worth saying ("also sci-fi & fantasy")."""
    genre = GENRE_INFO.get(key)
    return genre.telling if genre is not None else True


def known_labels() -> Iterable[str]:
    return _BY_LABEL.keys()


_FOLD = re.compile(r"[^a-z0-9+]+")


def _plain(text: str) -> str:
    """Lower-case, accents off, punctuation as single spaces: 'Acción  y aventura' -> 'accion y
    aventura'."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _FOLD.sub(" ", bare).strip()


def _word_table() -> Mapping[str, str]:
    table: dict[str, str] = {}
    for g in _TABLE:
        for word in (g.key, *g.labels, *g.words, *g.names.values()):
            table.setdefault(_plain(word), g.key)
    return MappingProxyType(table)


_OF_WORD = _word_table()


def genre_of_word(text: object) -> str | None:
    """What a person typed for a genre, in either language ('comedias', 'Sci-Fi', 'comedy',
    'ciencia ficción', 'kids'): the key, or None."""
    if not isinstance(text, str):
        return None
    return _OF_WORD.get(_plain(text))
