"""One genre vocabulary across the four platforms.

Each platform words its `listed_in` labels its own way ("Dramas" on Netflix, "Drama" on Amazon
and Hulu, "TV Dramas" for Netflix's shows; "Sci-Fi & Fantasy", "Science Fiction", "Fantasy"), so
a label is mapped to one cross-platform genre key here, with its display name in every language
of `domain.vocabulary.LANGUAGES`. The ETL's content features, the hybrid recommender, the
reasons of /similar and the EDA all read genres through this table.

A leaf like domain/vocabulary.py: standard library only. A label nobody listed here still gets a
key (its normalised words, "k_drama"), shown as the platform wrote it: new labels degrade to
"their own genre", never to an error.
"""

from __future__ import annotations

import re
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

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


def _g(key: str, en: str, es: str, *labels: str, telling: bool = True) -> Genre:
    return Genre(key, MappingProxyType({"en": en, "es": es}), labels, telling)


# Every label of the real files (../shared/data/raw/titles, 2021 Kaggle snapshots) is listed;
# tests/domain/test_domain_genres.py checks that none falls through to the fallback.
GENRES: tuple[Genre, ...] = (
    _g("action", "Action & Adventure", "Acción y aventura", "action", "action & adventure",
       "action-adventure", "adventure", "tv action & adventure", "disaster", "survival",
       "buddy"),
    _g("animation", "Animation", "Animación", "animation", "adult animation", "cartoons"),
    _g("anime", "Anime", "Anime", "anime", "anime features", "anime series"),
    _g("arts", "Arts & Culture", "Arte y cultura", "arts, entertainment, and culture", "arts",
       "entertainment", "and culture", "lifestyle & culture", "lifestyle", "travel",
       "cooking & food"),
    _g("classic", "Classics & Cult", "Clásicos y de culto", "classic movies", "classics",
       "classic & cult tv", "cult movies"),
    _g("comedy", "Comedy", "Comedia", "comedy", "comedies", "tv comedies", "sitcom",
       "sketch comedy", "parody", "romantic comedy"),
    _g("crime", "Crime", "Crimen", "crime", "crime tv shows", "police/cop"),
    _g("documentary", "Documentary", "Documental", "documentary", "documentaries",
       "docuseries"),
    _g("drama", "Drama", "Drama", "drama", "dramas", "tv dramas", "soap opera / melodrama",
       "medical", "anthology"),
    _g("faith", "Faith & Spirituality", "Fe y espiritualidad", "faith & spirituality",
       "faith and spirituality"),
    _g("family", "Kids & Family", "Infantil y familiar", "family", "kids", "kids' tv",
       "children & family movies"),
    _g("fitness", "Health & Fitness", "Salud y bienestar", "fitness", "health & wellness"),
    _g("history", "History & Biography", "Historia y biografías", "history", "historical",
       "biographical"),
    _g("horror", "Horror", "Terror", "horror", "horror movies", "tv horror"),
    _g("independent", "Independent", "Independiente", "independent movies", "arthouse"),
    _g("international", "International", "Internacional", "international",
       "international movies", "international tv shows", telling=False),
    _g("british", "British", "Británico", "british tv shows"),
    _g("korean", "Korean", "Coreano", "korean tv shows"),
    _g("spanish", "Spanish-Language", "En español", "spanish-language tv shows", "latino"),
    _g("black_stories", "Black Stories", "Historias afroamericanas", "black stories"),
    _g("lgbtq", "LGBTQ+", "LGBTQ+", "lgbtq", "lgbtq+", "lgbtq movies"),
    _g("music", "Music & Musicals", "Música y musicales", "music", "music & musicals",
       "musical", "concert film", "music videos and concerts", "dance"),
    _g("mystery", "Mystery", "Misterio", "mystery", "tv mysteries"),
    _g("news", "News", "Noticias", "news"),
    _g("reality", "Reality & Game Shows", "Reality y concursos", "reality", "reality tv",
       "unscripted", "game shows", "game show / competition"),
    _g("romance", "Romance", "Romance", "romance", "romantic movies", "romantic tv shows"),
    _g("science", "Science & Nature", "Ciencia y naturaleza", "science & nature tv",
       "science & technology", "animals & nature"),
    _g("scifi_fantasy", "Sci-Fi & Fantasy", "Ciencia ficción y fantasía", "sci-fi & fantasy",
       "tv sci-fi & fantasy", "science fiction", "fantasy", "superhero"),
    _g("special_interest", "Special Interest", "Temas especiales", "special interest",
       telling=False),
    _g("sports", "Sports", "Deportes", "sports", "sports movies"),
    _g("standup", "Stand-Up & Talk Shows", "Monólogos y entrevistas", "stand up",
       "stand-up comedy", "stand-up comedy & talk shows", "talk show", "talk show and variety",
       "late night", "variety"),
    _g("teen", "Teen & Coming of Age", "Adolescentes", "teen", "teen tv shows",
       "coming of age", "young adult audience"),
    _g("thriller", "Thriller", "Suspense", "thriller", "thrillers", "tv thrillers", "suspense",
       "spy/espionage"),
    _g("war", "War & Military", "Bélico", "military and war"),
    _g("western", "Western", "Wéstern", "western"),
    _g("general", "Movies & Shows", "Películas y series", "movies", "tv shows", "series",
       telling=False),
)  # fmt: skip

BY_KEY: Mapping[str, Genre] = MappingProxyType({g.key: g for g in GENRES})
_BY_LABEL: Mapping[str, str] = MappingProxyType(
    {label: g.key for g in GENRES for label in g.labels}
)
# Labels that themselves hold commas (Amazon's "Arts, Entertainment, and Culture"): split on
# commas they would become three labels, one of them "and Culture".
_COMMA_LABELS = tuple(sorted((lbl for lbl in _BY_LABEL if "," in lbl), key=len, reverse=True))
# Words a platform adds to say movie or show, stripped before the fallback's second lookup.
_KIND_WORDS = re.compile(r"^(tv|movies?|series)\s+|\s+(tv shows?|tv|movies|series|features)$")


def _norm(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().lower())


def genre_key(label: str) -> str:
    """The genre key of one platform label ("TV Dramas" -> "drama"); an unknown label gets its
    own key from its words without the movie/show suffix ("Telenovela TV Shows" -> "telenovela")."""
    text = _norm(label)
    if text in _BY_LABEL:
        return _BY_LABEL[text]
    bare = _KIND_WORDS.sub("", text).strip()
    if bare in _BY_LABEL:
        return _BY_LABEL[bare]
    return re.sub(r"[^0-9a-z]+", "_", bare or text).strip("_") or "general"


def split_labels(listed_in: str | None) -> list[str]:
    """The labels of one `listed_in` cell, as written ("Dramas, International Movies")."""
    text = listed_in or ""
    keep: list[str] = []
    low = text.lower()
    for whole in _COMMA_LABELS:  # take the comma-holding labels out first
        at = low.find(whole)
        if at >= 0:
            keep.append(text[at : at + len(whole)])
            text, low = text[:at] + text[at + len(whole) :], low[:at] + low[at + len(whole) :]
    return keep + [p.strip() for p in text.split(",") if p.strip()]


def genre_keys(listed_in: str | None) -> tuple[str, ...]:
    """The distinct genre keys of one `listed_in` cell, in the order first listed."""
    return tuple(dict.fromkeys(genre_key(lbl) for lbl in split_labels(listed_in)))


def genre_name(key: str, lang: str = "en") -> str:
    """The display name of a genre key; an unknown key reads as its words ("telenovela" ->
    "Telenovela"), the same in every language (it is the platform's own word)."""
    genre = BY_KEY.get(key)
    if genre is not None:
        return genre.name(lang)
    return key.replace("_", " ").capitalize()


def is_telling(key: str) -> bool:
    """Whether sharing this genre is worth saying ("also sci-fi & fantasy")."""
    genre = BY_KEY.get(key)
    return genre.telling if genre is not None else True


def known_labels() -> Iterable[str]:
    return _BY_LABEL.keys()
