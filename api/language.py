"""The language of an answer's text fields: `lang=en|es`, else the Accept-Language header, else
English (the API's analysts read English by default; the bot defaults to Spanish).

`Lang` is a FastAPI dependency: it documents the `lang` parameter on every route that takes it
and sets `Content-Language` on the answer. Only the words change with the language; keys, codes
and numbers (`year_meaning`, `reason_code`, 3.41) stay the same for every client.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request, Response

from domain.vocabulary import LANGUAGES, LanguageKey

LangKey = LanguageKey
DEFAULT_LANG: LangKey = "en"


def negotiate(accept_language: str | None) -> LangKey:
    """The first of our languages in an Accept-Language header, by its q-weights ('es-ES,es;
    q=0.9,en;q=0.8' -> 'es'); English when none is ours or the header is absent or garbled."""
    ranked: list[tuple[float, int, str]] = []
    for k, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, k, primary))
    if not ranked:
        return DEFAULT_LANG
    best = min(ranked)[2]
    return "es" if best == "es" else "en"


def request_lang(request: Request) -> LangKey:
    """The language of a request as `get_lang` chooses it, for the error handlers: an error may
    come before the route's dependencies ran (a refused parameter), even a refused `lang`
    (then the header decides)."""
    asked = request.query_params.get("lang")
    if asked == "es":
        return "es"
    if asked == "en":
        return "en"
    return negotiate(request.headers.get("accept-language"))


async def get_lang(
    response: Response,
    lang: Annotated[
        LangKey | None,
        Query(
            description="Language of the words in the answer (reasons, a year in words, genre "
            "names; an error's detail and what to send instead): 'en' or 'es'. Without it the "
            "Accept-Language header decides; default English"
        ),
    ] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> LangKey:
    chosen = lang or negotiate(accept_language)
    response.headers["Content-Language"] = chosen
    return chosen


Lang = Annotated[LangKey, Depends(get_lang)]
