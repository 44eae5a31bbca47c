"""Issue 22 item 2: a name several titles carry ("the office": The Office, The Office (U.S.),
The Office (U.K.)) is asked about with a button each, by every command that takes one title."""

from __future__ import annotations

import pytest

from chat.commands import Commands
from tests.chat.conftest import console

WHICH = {"es": "puede ser varios títulos. ¿Cuál?", "en": "could be several titles. Which one?"}


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("command", ["/watch", "/recommend", "/similar", "/rate"])
async def test_the_office_is_asked_about(small: Commands, lang: str, command: str) -> None:
    small.store.add(6 if lang == "en" else 5, "ns902", 4.0)  # /recommend needs a rating
    [out] = await console(small, lang, f"{command} the office")
    assert WHICH[lang] in out, out
    assert "The Office (U.K.)" in out and "The Office (U.S.)" in out and "[3]" in out
    assert "Office Party" not in out


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_button_settles_it(small: Commands, lang: str) -> None:
    out = await console(small, lang, "/watch the office", "2")
    chosen = next(line for line in out[0].splitlines() if line.startswith("[2]"))
    name = chosen.removeprefix("[2] ").split(" (")[0]
    assert name in out[1] and ("lista" if lang == "es" else "watchlist") in out[1]
