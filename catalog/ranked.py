"""How many titles a model's ranking holds: the `total` of a page of /top or /similar.

`top_n` ranks every title the model scores that passes the platform/kind filters, less the ones
the user rated; `similar` ranks every other title the model scores. The catalogue serves only
the titles it carries (catalog/recommend.py drops the others, and another platform's row of the
same film from a similar list), so the totals count exactly those, without ranking anything.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from catalog.rows import TitleRows
from domain.vocabulary import PLATFORM_LETTERS


class RankedTitles:
    """One model's titles as the catalogue serves them, for counting (built once per model)."""

    def __init__(self, rows: TitleRows, title_ids: Sequence[str]) -> None:
        self.rows = rows
        self.index = {t: i for i, t in enumerate(title_ids)}
        row = np.array([rows.row_of_id.get(t, -1) for t in title_ids], dtype=np.int64)
        self.served = row >= 0
        # the model's titles the catalogue does not serve: the spare a page must ask for
        self.unserved = int(np.count_nonzero(~self.served))
        # the model's own filters: a title id's first letter is its platform (model/ranking.py)
        self.letter = np.array([t[:1] for t in title_ids], dtype=object)
        kinds = np.asarray(rows.kind, dtype=object)
        self.kind = np.where(self.served, kinds[np.where(self.served, row, 0)], "")
        self._counts: dict[tuple[str | None, str | None], np.ndarray] = {}
        self._similar_totals: dict[str, int] = {}
        self.folded = np.array(
            [rows.folded[r] if r >= 0 else "" for r in row.tolist()], dtype=object
        )

    def _passing(self, platform: str | None, kind: str | None) -> np.ndarray:
        key = (platform, kind)
        if key not in self._counts:
            mask = self.served.copy()
            if platform is not None:
                mask &= self.letter == PLATFORM_LETTERS[platform]
            if kind is not None:
                mask &= self.kind == kind
            self._counts[key] = mask
        return self._counts[key]

    def top_total(self, rated: Sequence[str], platform: str | None, kind: str | None) -> int:
        """Titles `top_n` can rank for a user who rated `rated`, under the filters, served."""
        mask = self._passing(platform, kind)
        seen = {self.index[t] for t in rated if t in self.index}
        return int(np.count_nonzero(mask)) - sum(1 for i in seen if mask[i])

    def similar_total(self, title_id: str) -> int:
        """Titles `similar` ranks against `title_id`, served, the same film elsewhere left out
        (kept per title: one int each, asked again for every page)."""
        found = self._similar_totals.get(title_id)
        if found is None:
            found = self._similar_totals[title_id] = self._count_similar(title_id)
        return found

    def _count_similar(self, title_id: str) -> int:
        row = self.rows.row_of_id.get(title_id)
        name = self.rows.folded[row] if row is not None else None
        same = self.folded == name if name is not None else np.zeros(len(self.served), bool)
        own = self.index.get(title_id)
        count = int(np.count_nonzero(self.served & ~same))
        if own is not None and self.served[own] and not same[own]:
            count -= 1
        return count
