"""The button wizards of the four questions: pick platform -> year -> type or score.

The whole state travels in the callback data (nothing is kept per chat): the action, the page
of the year picker and one field per step, UNSET until chosen. `Wizard` reads that state and
builds the next question's keyboard."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from domain.vocabulary import DURATION_TYPE_OF_CODE, PLATFORM_OF_LETTER

from .. import keyboards as kb
from ..callbacks import ANY, UNSET, ExpiredMenu, encode
from ..i18n import platform_name, t
from ..replies import Html, Keyboard, bold


class Step(Enum):
    PLATFORM = "platform"
    YEAR = "year"
    TYPE = "type"
    SCORE = "score"


@dataclass(frozen=True)
class Spec:
    action: str  # callback action, also the main menu's target
    title: str  # message key of the wizard's header
    steps: tuple[tuple[Step, bool], ...]  # in the order asked; True: "any" allowed


SPECS = {
    s.action: s
    for s in (
        Spec("md", "menu_md", ((Step.PLATFORM, True), (Step.YEAR, True), (Step.TYPE, False))),
        Spec("sc", "menu_sc", ((Step.PLATFORM, False), (Step.YEAR, False), (Step.SCORE, False))),
        Spec("ac", "menu_ac", ((Step.PLATFORM, False), (Step.YEAR, False))),
    )
}


@dataclass(frozen=True)
class Wizard:
    spec: Spec
    page: int  # of the year picker
    fields: tuple[str, ...]  # callback codes per step: a letter, a year, a type code, a score

    @classmethod
    def start(cls, action: str, fields: tuple[str, ...] | None = None) -> Wizard:
        spec = SPECS[action]
        return cls(spec, 0, fields or (UNSET,) * len(spec.steps))

    @property
    def step(self) -> int | None:
        """The index of the first field still unset; None when every one is chosen."""
        return next((i for i, v in enumerate(self.fields) if v == UNSET), None)

    @property
    def platform(self) -> str | None:
        return PLATFORM_OF_LETTER.get(self.fields[0])

    @property
    def year(self) -> int | None:
        return int(self.fields[1]) if self.fields[1].isdigit() else None

    @property
    def last(self) -> str:
        return self.fields[2]

    def duration_type(self) -> str | None:
        return DURATION_TYPE_OF_CODE.get(self.last)

    def needs_platform_and_year(self) -> tuple[str, int]:
        if self.platform is None or self.year is None:
            raise ExpiredMenu("wizard needs a platform and a year")
        return self.platform, self.year

    def choose(self, value: str) -> str:
        """Callback data for choosing `value` at the current step."""
        step = self.step
        assert step is not None
        fields = list(self.fields)
        fields[step] = value
        return encode(self.spec.action, 0, *fields)

    def turn(self, page: int) -> str:
        return encode(self.spec.action, page, *self.fields)

    def at_page(self, page: int) -> Wizard:
        return replace(self, page=page)

    def question(self, lang: str, years: list[int]) -> tuple[Html, Keyboard]:
        """The header (what is chosen so far), the question and its keyboard."""
        step = self.step
        assert step is not None
        name, optional = self.spec.steps[step]
        keyboard: Keyboard
        if name is Step.PLATFORM:
            key, keyboard = "pick_platform", kb.platforms(lang, self.choose, optional)
        elif name is Step.YEAR:
            key = "pick_year"
            keyboard = kb.years(lang, years, self.page, self.choose, self.turn, optional)
        elif name is Step.TYPE:
            key, keyboard = "pick_type", kb.types(lang, self.choose)
        else:
            key, keyboard = "pick_score", kb.scores(lang, self.choose)
        chosen = self.describe(lang)
        header = bold(t(lang, self.spec.title) + (f" — {chosen}" if chosen else ""))
        return Html(f"{header}\n{t(lang, key)}"), keyboard

    def describe(self, lang: str) -> str:
        """What has been chosen so far, e.g. "Netflix, 2020"."""
        bits = []
        if self.platform is not None:
            bits.append(platform_name(self.platform))
        elif self.fields[0] == ANY:
            bits.append(t(lang, "any_platform"))
        if len(self.fields) > 1 and self.fields[1].isdigit():
            bits.append(self.fields[1])
        return ", ".join(bits)
