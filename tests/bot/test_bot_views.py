"""Wording the bot builds itself: recommendation reasons from reason_code (never the model's
English text with raw ids) and /actor on a platform whose catalogue lists no cast."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import Catalog, CatalogHolder, Recommendation, TitleRef
from catalog.results import RecommendedTitle
from chat import picks
from chat.commands import Commands
from chat.replies import Person
from people import sqlite_store
from tests.catalog_helpers import ROWS, write_processed
from tests.fakes.telegram_server import parse_html

REF = TitleRef("ns42", "Amélie & <Friends>", "netflix", "movie", 2001)
MODEL_REASON = "recommended: 4.10 is at least the threshold 3.50; predicted from you (2 ratings)'s"


def rec(code: str, user: int | None = 7) -> Recommendation:
    return Recommendation(user, REF, 4.1, True, 3.5, code, MODEL_REASON + f" title {REF.id}")


@pytest.mark.parametrize("code", ["known", "unknown_user", "unknown_title", "unknown_both", "x"])
@pytest.mark.parametrize("user", [7, None])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_reasons_are_ours_localised_with_the_display_title(
    code: str, user: int | None, lang: str
) -> None:
    text = picks.recommendation(lang, rec(code, user))
    parse_html(text)
    line = text.split("\n")[1]
    assert line.startswith("Motivo:" if lang == "es" else "Reason:")
    # nothing of the model's own English sentence, and no raw title id
    assert "ns42" not in text and "(2 ratings)" not in text and "threshold 3.50" not in text
    if lang == "es":
        assert "predicted" not in line and "rating" not in line
    if code == "x":
        return
    assert "<b>Amélie &amp; &lt;Friends&gt;</b>" in line
    if user is None:
        assert "7" not in line
        assert any(w in line for w in ("tus ", "puntúas tú", "aún no has", "your", "you "))
    else:
        assert ("usuario 7" if lang == "es" else "user 7") in line


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "same director · also sci-fi &amp; fantasy · people who liked it liked this"),
        (
            "es",
            "mismo director · también ciencia ficción y fantasía · a quien le gustó, le gustó esta",
        ),
    ],
)
def test_similar_titles_say_why_in_both_languages(lang: str, words: str) -> None:
    """The hybrid's reason codes (model/similarity.py) in the person's words, under the title."""
    codes = ("same_director", "same_genre:scifi_fantasy", "co_rated", "a_future_code")
    item = RecommendedTitle(REF, similarity=0.8, reasons=codes)
    [line] = picks.title_lines(lang, [item], 0)
    parse_html(line)
    assert line.endswith(f"<i>{words}</i>")
    assert picks.because(lang, RecommendedTitle(REF, similarity=0.8)) is None


@pytest.fixture
def no_hulu_cast(tmp_path: Path) -> Catalog:
    rows = [(r[0], *r[1:3], None if r[0].startswith("h") else r[3], *r[4:]) for r in ROWS]
    return Catalog.load(write_processed(tmp_path, rows))


def test_catalog_counts_titles_with_a_cast_per_platform(no_hulu_cast: Catalog) -> None:
    assert no_hulu_cast.cast_titles("hulu") == 0
    assert no_hulu_cast.cast_titles("netflix") == 3  # ns1, ns2, ns4
    assert no_hulu_cast.cast_titles("amazon") == 5  # as1..as4 and as6 (no year, but a cast)
    assert no_hulu_cast.cast_titles("prime") == 5


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Hulu's catalogue lists no cast for its titles"),
        ("es", "El catálogo de Hulu no incluye el reparto"),
    ],
)
async def test_actor_on_a_platform_without_any_cast_says_so(
    no_hulu_cast: Catalog, tmp_path: Path, lang: str, expected: str
) -> None:
    holder = CatalogHolder(tmp_path, catalog=no_hulu_cast)
    commands = Commands(holder, sqlite_store(tmp_path / "r.sqlite3"))
    person = Person(1, 1, lang)
    [reply] = [r async for r in commands.on_text(person, "/actor hulu 2002")]
    assert expected in reply.text
    # a platform with casts, but none in that year, keeps the ordinary answer
    [other] = [r async for r in commands.on_text(person, "/actor netflix 2015")]
    assert "no cast" not in other.text and "no incluye" not in other.text


def test_a_long_title_button_keeps_its_platform_and_year() -> None:
    """Seen on the real titles: "/recommend 1917" offered "1996-1997 NBA Championship Season -
    Chicago Bulls (Amazon…", the platform and year that tell candidates apart cut off."""
    from chat.limits import BUTTON_TEXT_MAX
    from chat.views import button_label, candidate_labels

    long = TitleRef("as7", "1996-1997 NBA Championship Season - Chicago Bulls", "amazon",
                    "movie", 1997)  # fmt: skip
    label = button_label(long)
    assert label.endswith("… (Amazon Prime Video, 1997)") and len(label) <= BUTTON_TEXT_MAX
    assert label.startswith("1996-1997 NBA Championship")
    assert button_label(REF) == "Amélie & <Friends> (Netflix, 2001)"  # short: whole
    # two long names cut to the same label still differ by their ids
    twin = TitleRef("as8", long.title + " Part 2", "amazon", "movie", 1997)
    labels = [text for _, text in candidate_labels([long, twin])]
    assert labels[0].endswith("(Amazon Prime Video, 1997) · as7"), labels
    assert labels[1].endswith("(Amazon Prime Video, 1997) · as8")
    assert all(len(text) <= BUTTON_TEXT_MAX for text in labels)
