"""Resolving a title name: a name that several titles carry equally well is ambiguous (issue 22:
"the office" is The Office, The Office (U.S.) and The Office (U.K.)), never settled silently."""

from __future__ import annotations

import pytest

from catalog import AmbiguousTitle, Catalog
from tests.catalog_helpers import ROWS, write_processed

OFFICES = [
    ("as901", "TV Show", "The Office", "Ricky Gervais", 2003, 2, "season", 2.7, 35),
    ("ns901", "TV Show", "The Office (U.S.)", "Steve Carell", 2012, 9, "season", 4.1, 90),
    ("hs901", "TV Show", "The Office (U.K.)", "Ricky Gervais", 2001, 2, "season", 4.0, 20),
    ("ns902", "Movie", "The Office Party", None, 2016, 105, "min", 3.0, 5),
]


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return Catalog.load(write_processed(tmp_path_factory.mktemp("resolve"), ROWS + OFFICES))


def test_exact_name_and_its_tailed_variants_are_ambiguous(cat: Catalog) -> None:
    match = cat.resolve_title("the office")
    assert match.title is None and match.ambiguous
    assert [c.id for c in match.candidates] == ["as901", "ns901", "hs901"]  # not the party


def test_a_tailed_name_or_an_id_still_names_one(cat: Catalog) -> None:
    us = cat.resolve_title("the office (u.s.)").title
    assert us is not None and us.id == "ns901"
    one = cat.resolve_title("hs901").title
    assert one is not None and one.title == "The Office (U.K.)"
    party = cat.resolve_title("the office party").title
    assert party is not None and party.id == "ns902"  # exact, with no variant beside it


def test_recommend_raises_ambiguous_with_the_three(cat: Catalog) -> None:
    with pytest.raises(AmbiguousTitle) as e:
        cat.similar("The Office")
    assert {c.id for c in e.value.candidates} == {"as901", "ns901", "hs901"}
