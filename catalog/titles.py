"""Title answers over a CatalogIndex: search pages, where to watch, resolving a name, popular.

Arguments arrive parsed (catalog/core.py parses each once); these only read the index.
"""

from __future__ import annotations

from collections.abc import Collection

from catalog import validate as v
from catalog.index import CatalogIndex
from catalog.results import (
    Offer,
    SearchHit,
    SearchPage,
    TitleMatch,
    TitleRef,
    WatchPage,
    WhereToWatch,
)
from catalog.rows import TitleRows
from catalog.search_words import BANDS, VARIANT

AUTO_PICK_MATCH = 90.0  # resolve_title picks a lone fuzzy candidate at least this close
VARIANT_MATCH = BANDS[VARIANT][0]  # 'Name (tail)' or the name less a leading article


def row_order(rows: TitleRows, row: int) -> tuple[int, int, str, int]:
    """Within one name: most voted first, then newest, then platform order."""
    year = rows.release_year[row]
    return (-int(rows.votes[row]), -(year or 0), rows.platform[row], row)


def search_page(ix: CatalogIndex, q: str, start: int, n: int) -> SearchPage:
    """`n` matching titles from `start`, best first, and how many match (see Catalog)."""
    rows, names = ix.rows, ix.search
    # Every name has at least one title, so start + n names cover the page asked for.
    ranked = names.names.search(q, 0, start + n)
    hits: list[SearchHit] = []
    for name_idx, match in ranked.hits:
        for r in sorted(names.name_rows[name_idx], key=lambda r: row_order(rows, r)):
            ref = rows.refs[r]
            hits.append(
                SearchHit(ref.id, ref.title, ref.platform, ref.type, ref.release_year, match)
            )
        if len(hits) >= start + n:
            break
    total = int(names.rows_per_name[ranked.found].sum())
    return SearchPage(q, total, start, tuple(hits[start : start + n]))


def watch_page(ix: CatalogIndex, q: str, start: int, n: int) -> WatchPage:
    """`n` (name, year) groups from `start`, each with every platform carrying it."""
    rows, names = ix.rows, ix.search
    ranked = names.names.search(q, 0, start + n)
    answers: list[WhereToWatch] = []
    for name_idx, match in ranked.hits:
        years = {rows.release_year[r] for r in names.name_rows[name_idx]}
        groups = []
        for year in years:
            found = sorted(names.groups[(name_idx, year)], key=lambda r: row_order(rows, r))
            first = rows.refs[found[0]]
            offers = tuple(
                sorted((Offer(rows.refs[r].platform, rows.refs[r].id) for r in found),
                       key=lambda o: (o.platform, o.id))
            )  # fmt: skip
            groups.append(WhereToWatch(first.title, year, first.type, offers, match))
        # One name's films: the one on most platforms first, then the newest.
        groups.sort(key=lambda w: (-len(w.offers), -(w.release_year or 0)))
        answers.extend(groups)
        if len(answers) >= start + n:
            break
    total = int(names.groups_per_name[ranked.found].sum())
    return WatchPage(q, total, start, tuple(answers[start : start + n]))


def row_of(rows: TitleRows, title_id: object) -> int | None:
    """The served row of a title id (case-insensitive), or None."""
    if not isinstance(title_id, str):
        return None
    return rows.row_of_id.get(title_id.strip().lower())


def offers(ix: CatalogIndex, row: int) -> tuple[Offer, ...]:
    """Every platform carrying the film or show of `row` (its name and release year), that
    row's own offer first, then by platform order."""
    rows = ix.rows
    key = ix.search.group_of_row.get(row)
    others = [r for r in ix.search.groups[key] if r != row] if key is not None else []
    others.sort(key=lambda r: row_order(rows, r)[2:])  # platform, then row
    return tuple(Offer(rows.refs[r].platform, rows.refs[r].id) for r in (row, *others))


def resolve(ix: CatalogIndex, text: str, n: int) -> TitleMatch:
    """An id or an exact (folded) name naming one title -> that title; else candidates."""
    rows = ix.rows
    row = row_of(rows, text)
    if row is not None:
        return TitleMatch(rows.info(row))
    hits = search_page(ix, text, 0, n).hits
    exact = tuple(h for h in hits if h.match == 100.0)
    # 'The Office' is one title's exact name, and 'The Office (U.K.)' / '(U.S.)' are the same
    # name with a tail (search's VARIANT tier, 99): the text names all three equally well, so
    # the person is asked (issue 22), never answered about the first silently.
    variants = tuple(h for h in hits if VARIANT_MATCH <= h.match < 100.0)
    if len(exact) == 1 and not variants:
        return TitleMatch(rows.info(rows.row_of_id[exact[0].id]))
    if exact:
        return TitleMatch(None, exact + variants)
    if len(hits) == 1 and hits[0].match >= AUTO_PICK_MATCH:
        return TitleMatch(rows.info(rows.row_of_id[hits[0].id]))
    return TitleMatch(None, hits)


def resolve_row(ix: CatalogIndex, text: str, n: int = 10) -> int:
    """The one row `text` names; TitleNotFound / AmbiguousTitle otherwise."""
    match = resolve(ix, text, n)
    if match.title is not None:
        return ix.rows.row_of_id[match.title.id]
    if match.candidates:
        raise v.AmbiguousTitle(text, match.candidates)
    raise v.TitleNotFound(text)


def popular(
    rows: TitleRows, count: int, platform: str | None, kind: str | None, skip: Collection[str]
) -> list[TitleRef]:
    """The first `count` of the most-voted rows for the filter, leaving out ids in `skip`."""
    out: list[TitleRef] = []
    for row in rows.popular[(platform, kind)]:
        ref = rows.refs[row]
        if ref.id in skip:
            continue
        out.append(ref)
        if len(out) == count:
            break
    return out
