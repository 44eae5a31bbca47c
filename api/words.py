"""The API's text fields in the client's language (locales/api.<lang>.po): a show's year as its
platform means it ("since 1989", "latest season 2019"; docs/data.md) and a recommendation's
reason."""

from __future__ import annotations

import locales
from catalog import Recommendation
from domain.vocabulary import YearMeaning

DOMAIN = "api"


def year_label(lang: str, meaning: YearMeaning, year: int | None) -> str | None:
    """'2019' for a movie, 'since 1989' for a show counted from its first season, 'latest
    season 2019' for one counted from its latest; None without a year."""
    if year is None:
        return None
    return locales.text(DOMAIN, lang, f"year_{meaning}").format(year=year)


def reason(lang: str, rec: Recommendation) -> str:
    """The decision and what it rests on, naming the title, in `lang`."""
    verdict = "verdict_yes" if rec.recommended else "verdict_no"
    values = {
        "estimate": f"{rec.estimate:.2f}",
        "threshold": f"{rec.threshold:.2f}",
        "user": rec.user_id,
        "title": rec.title.title,
    }
    why = locales.messages(DOMAIN, lang).get(f"why_{rec.reason_code}")
    text = locales.text(DOMAIN, lang, verdict).format(**values)
    return f"{text}; {why.format(**values)}" if why else text
