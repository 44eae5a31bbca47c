"""Issue 24 item 6: a fifth platform is one edit in domain/vocabulary.py (a Platform record in
the table and its key in the PlatformKey Literal). tests/domain/fifth_platform.py makes that
edit in a fresh interpreter, writes a tiny titles file for the new platform beside the four,
and runs the real ETL, the catalogue, the console chat (both languages) and the API; here we
check that every part speaks of the new platform with nothing else edited."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.domain import fifth_platform as fifth

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("fifth")
    done = subprocess.run(
        [sys.executable, fifth.__file__, str(work)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


ROWS = fifth.TITLES[fifth.KEY]
MOVIES = sum(r[1] == "Movie" for r in ROWS)
SHOWS = len(ROWS) - MOVIES
LONGEST = max((r for r in ROWS if r[7] == "2022" and r[1] == "Movie"), key=lambda r: int(r[9][:-4]))


def test_etl_and_catalogue_carry_the_fifth_platform(answers: dict) -> None:
    assert answers["platforms"] == ["amazon", "disney", "hulu", "netflix", fifth.KEY]
    assert answers["counts"][fifth.KEY] == [MOVIES, SHOWS]
    assert answers["chart colour"] == "#8E8E93"  # the colour of the edit, not OTHER_COLOR


@pytest.mark.parametrize(
    ("lang", "counted", "director"),
    [("en", f"{MOVIES} movies, {SHOWS} show", "directed 1 title"),
     ("es", f"{MOVIES} películas, {SHOWS} serie", "dirigió 1 título")],
)  # fmt: skip
def test_the_console_chat_speaks_of_it_in_both_languages(
    answers: dict, lang: str, counted: str, director: str
) -> None:
    chat = {k.split(" ", 1)[1]: v for k, v in answers["chat"].items() if k.startswith(lang)}
    name = fifth.NAME
    assert chat["/platformcount apple tv"].startswith(f"{name}: {counted}")
    longest = chat["/maxduration 2022 apple"]
    assert name in longest and f"{LONGEST[2]} (2022" in longest and LONGEST[9] in longest
    assert "Mia Soto" in chat["/actor p 2022"] and name in chat["/actor p 2022"]
    assert f"{name}, Netflix" in chat["/search orbit nine"]  # one film on two platforms
    assert director in chat["/director ben stiller"] and name in chat["/director ben stiller"]
    # buttons (callback data carries the platform's letter), sentences that list every
    # platform, an unknown platform's message, the charts
    for line in ("/platformcount", "/myplatforms"):
        buttons = chat[line].rsplit("\n[", 1)[1].rstrip("]").split(" | ")
        assert any(b.endswith(name) for b in buttons), chat[line]
    for line in ("/platformcount hbo", "/help", "/start"):
        assert name in chat[line], chat[line]
    assert "[photo]" in chat["/chart platforms"] and name in chat["/chart platforms"]


def test_the_api_answers_for_it(answers: dict) -> None:
    api = answers["api"]
    count = api["/count_platform?platform=Apple%20TV%2B"]
    assert count["status"] == 200
    assert count["body"]["per_platform"] == [
        {"platform": fifth.KEY, "movies": MOVIES, "shows": SHOWS, "total": MOVIES + SHOWS}
    ]
    longest = api["/max_duration?platform=p&year=2022"]
    assert longest["status"] == 200 and longest["body"]["title"]["title"] == LONGEST[2]
    watch = api["/where_to_watch?title=orbit%20nine"]["body"]["results"][0]
    assert set(watch["platforms"]) == {fifth.KEY, "netflix"}
    unknown = api["/count_platform?platform=hbo"]
    assert unknown["status"] == 404 and "apple tv" in unknown["body"]["accepted"]
    assert api["openapi platform enum"] == [fifth.KEY, "netflix"]  # the response schemas' enum
