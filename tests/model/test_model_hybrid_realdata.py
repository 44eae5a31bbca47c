"""The hybrid on the real titles with demo ratings (issue 21's target): for well-known titles, at
least 3 of /similar's first 5 share a genre with the title asked about, through the catalogue's
own path (the model's blend of factors and content, the same-film and test-row filters)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from catalog import Catalog
from domain.genres import genre_keys, is_telling

pytestmark = pytest.mark.realdata
ROOT = Path(__file__).resolve().parents[2]
# Famous titles of the four files (one per franchise or kind), and below the most rated ones.
WELL_KNOWN = (
    "stranger things",
    "the irishman",
    "frozen",
    "toy story",
    "breaking bad",
    "narcos",
    "the simpsons",
    "jaws",
    "the mandalorian",
    "black panther",
    "parks and recreation",
    "the crown",
)


@pytest.fixture(scope="module")
def real_catalog(real_titles_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    base = tmp_path_factory.mktemp("hybrid_real")
    py = sys.executable
    data = base / "data"
    steps = [
        [py, "-m", "etl.demo", "--out", str(base / "raw"), "--titles-from", str(real_titles_dir),
         "--ratings", "120000", "--seed", "7"],
        [py, "-m", "etl", "--titles", str(real_titles_dir),
         "--ratings", str(base / "raw" / "ratings"), "--out", str(data / "processed"), "-q"],
        # factors on purpose (no search: it may ship a baseline), the harder case for /similar
        [py, "-m", "model", "train", "--data-dir", str(data), "--no-search", "--factors", "20",
         "--epochs", "20", "--quiet"],
    ]  # fmt: skip
    for cmd in steps:
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    return Catalog.load(data)


def _genres(cat: Catalog, title_id: str) -> set[str]:
    card = cat.title(title_id)
    assert card is not None
    return {g for g in genre_keys(card.listed_in) if is_telling(g)}


def test_well_known_titles_get_similar_titles_of_their_genre(real_catalog: Catalog) -> None:
    cat = real_catalog
    asked = [cat.resolve_title(name).title for name in WELL_KNOWN]
    ids = [ref.id for ref in asked if ref is not None]
    assert len(ids) >= 10
    # the most rated titles of the demo ratings are "well known" in this data
    ids += [t.title.id for t in cat.top(0, 10)]  # user 0 rated nothing: the global top
    shares = {}
    for tid in ids:
        own = _genres(cat, tid)
        items = cat.similar(tid, 5)
        assert len(items) == 5
        shares[tid] = sum(bool(own & _genres(cat, x.title.id)) for x in items)
        # and the reasons name what they share
        for x in items:
            named = {r.split(":", 1)[1] for r in x.reasons if r.startswith("same_genre:")}
            assert named <= own | _genres(cat, x.title.id)
    poor = {t: s for t, s in shares.items() if s < 3}
    assert not poor, poor
