"""How a page of picks reads when the model's figures are alike (issue 21 item 4): a newcomer who
gave two 5★ gets ten picks at "4.9★ · top 1%"; repeated on every line that tells nothing, so a
figure every pick shares is said once above the list and each line keeps what sets it apart.
The real-titles conversation is in test_real_titles.py; these are the page's rules alone, with
the figures chosen so both cases occur."""

from __future__ import annotations

from dataclasses import replace

import pytest

from catalog.results import RecommendedTitle, TitleRef
from chat import picks
from chat.replies import plain_text

ALIKE = {"en": "All {n} below: ", "es": "Los {n} de abajo: "}


def _page(estimates: list[float], shares: list[float]) -> list[RecommendedTitle]:
    return [
        RecommendedTitle(
            TitleRef(f"ns{k}", f"Title {k}", "netflix", "movie", 2020),
            estimate=5.0,  # clipped: the same for all, never shown
            predicted=p,
            top_percent=s,
        )
        for k, (p, s) in enumerate(zip(estimates, shares, strict=True))
    ]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_figure_every_pick_shares_is_said_once(lang: str) -> None:
    lines = [plain_text(x) for x in picks.title_lines(lang, _page([4.93] * 4, [0.02] * 4), 0)]
    stars = "4.9★" if lang == "en" else "4,9★"
    share = "top 1%" if lang == "en" else "entre el 1\u00a0% mejor"
    assert lines[0] == ALIKE[lang].format(n=4) + f"{stars} · {share}"
    assert len(lines) == 5 and all(stars not in x and share not in x for x in lines[1:])
    assert "\n".join(lines).count(stars) == 1


@pytest.mark.parametrize("lang", ["en", "es"])
def test_stars_stay_on_the_lines_when_they_differ(lang: str) -> None:
    """The stars differ (4.9, 4.7): each line shows its own; the top share, alike, once."""
    lines = [plain_text(x) for x in picks.title_lines(lang, _page([4.93, 4.71], [0.02, 0.9]), 0)]
    share = "top 1%" if lang == "en" else "entre el 1\u00a0% mejor"
    assert lines[0] == ALIKE[lang].format(n=2) + share
    mark = "." if lang == "en" else ","
    assert lines[1].endswith(f"— 4{mark}9★") and lines[2].endswith(f"— 4{mark}7★")
    # all different: no line above, each its full figure
    lines = [plain_text(x) for x in picks.title_lines(lang, _page([4.93, 4.71], [0.02, 7.5]), 0)]
    top8 = "top 8%" if lang == "en" else "entre el 8\u00a0% mejor"
    assert len(lines) == 2 and lines[0].endswith(f"— 4{mark}9★ · {share}")
    assert lines[1].endswith(f"— 4{mark}7★ · {top8}")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_reason_most_picks_share_is_said_once(lang: str) -> None:
    """Seen on the real titles: after two ratings nine lines of ten read "rated highly by nearly
    everyone"; said once above, the one line with its own reason stands out."""
    page = _page([4.93, 4.71, 4.6, 4.5, 4.4], [0.02, 0.9, 2.0, 3.0, 4.0])
    liked = TitleRef("ns9", "Liked Title", "netflix", "movie", 2019)
    page = [
        replace(x, reason_code="liked", because=liked)
        if k == 2
        else replace(x, reason_code="popular")
        for k, x in enumerate(page)
    ]
    lines = [plain_text(x) for x in picks.title_lines(lang, page, 0)]
    popular = "rated highly by nearly everyone" if lang == "en" else "muy bien valorado en general"
    header = [x for x in lines if popular in x]
    assert len(header) == 1 and not header[0].startswith(("1.", "2.", "3.")), lines
    assert "\n".join(lines).count("Liked Title") == 1  # the own reason stays on its line
    # two general reasons only: each stays on its line
    page = [
        replace(x, reason_code="popular" if k < 2 else "similar_taste") for k, x in enumerate(page)
    ]
    lines = [plain_text(x) for x in picks.title_lines(lang, page, 0)]
    assert "\n".join(lines).count(popular) == 2
