"""Why training chose the model being served, in the person's language (/status).

svd.json's `why` is one English sentence written by the trainer (model/tune.py, model/train.py,
model/spark_train.py). Its few shapes are read back here into their parts and said again from
the catalogue's messages, numbers in the language's format; a sentence of another shape (a
trainer newer than this reader) is shown as written, marked as the trainer's own words."""

from __future__ import annotations

import ast
import re

from locales import number

from .i18n import t
from .replies import Html

_NUM = r"\d+(?:\.\d+)?"
_SHAPES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            rf"SVD (?P<params>.+) had the lowest validation RMSE, (?P<rmse>{_NUM}), "
            rf"(?P<gain>{_NUM})% below BaselineOnly's (?P<base>{_NUM}) on the same folds"
        ),
        "why_svd_won",
    ),
    (
        re.compile(
            rf"(?:the best SVD \((?P<rmse>{_NUM})\)|no SVD candidate \(budget\)) did not beat "
            rf"BaselineOnly \((?P<base>{_NUM})\) by (?P<margin>{_NUM})% or more on the same "
            r"folds, so the model serves BaselineOnly's user and title effects \(no factors\)"
        ),
        "why_baseline",
    ),
    (re.compile(r"no search \(--no-search\): the parameters given, .*"), "why_no_search"),
    (
        re.compile(
            rf"--engine spark on (?P<master>\S+): BaselineOnly biases, then ALS rank "
            rf"(?P<rank>\d+), regParam (?P<reg>{_NUM}), (?P<iters>\d+) iterations on the residuals"
        ),
        "why_spark",
    ),
]


def chosen_reason(lang: str, why: str) -> Html:
    """The trainer's `why` in `lang`; an unknown shape as written, said to be the trainer's."""
    for pattern, key in _SHAPES:
        m = pattern.fullmatch(why.strip())
        if m is not None:
            return _said(lang, key, {k: v for k, v in m.groupdict().items() if v is not None})
    return t(lang, "why_as_written", why=why)


def _said(lang: str, key: str, values: dict[str, str]) -> Html:
    def num(name: str, digits: int) -> str:
        return number(lang, float(values[name]), digits)

    if key == "why_svd_won":
        return t(lang, key, params=_params(lang, values["params"]), rmse=num("rmse", 4),
                 gain=num("gain", 1), base=num("base", 4))  # fmt: skip
    if key == "why_baseline":
        best = (
            t(lang, "why_best_svd", rmse=num("rmse", 4))
            if "rmse" in values
            else t(lang, "why_no_candidate")
        )
        return t(lang, key, best=best, base=num("base", 4), margin=num("margin", 1))
    if key == "why_spark":
        return t(lang, key, master=values["master"], rank=values["rank"], reg=num("reg", 2),
                 iters=values["iters"])  # fmt: skip
    return t(lang, key)


# Surprise's names for the SVD's settings, said in words; any other key is shown as written.
_PARAM_WORDS = {"n_factors": "param_factors", "n_epochs": "param_epochs", "lr_all": "param_lr",
                "reg_all": "param_reg"}  # fmt: skip


def _params(lang: str, text: str) -> str:
    """ "{'n_factors': 20, 'lr_all': 0.01}" (what the trainer writes) as "20 factors, learning
    rate 0.01"; any other text as written."""
    try:
        params = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if not isinstance(params, dict):
        return text
    parts = []
    for name, value in params.items():
        # as many decimals as the trainer wrote (0.01, not 0.0100), in the language's signs
        decimals = len(repr(value).partition(".")[2]) if isinstance(value, float) else 0
        shown = number(lang, value, decimals) if isinstance(value, int | float) else str(value)
        key = _PARAM_WORDS.get(str(name))
        parts.append(str(t(lang, key, value=shown)) if key else f"{name} {shown}")
    return "(" + ", ".join(parts) + ")"
