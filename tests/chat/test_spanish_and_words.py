"""Issue 22 items 6 and 7: Spanish that is whole (genres, countries, commands, decimal signs) and
words for people (no model score and threshold, a readable share, demo ratings said once)."""

from __future__ import annotations

import pytest

from catalog.core import Catalog
from chat.commands import Commands
from tests.chat.conftest import console


def demo_title(catalog: Catalog, genre: str, country: str) -> str:
    """A popular demo title whose genres include `genre` and countries `country`."""
    for ref in catalog.popular(100):
        info = catalog.title(ref.id)
        if info and genre in (info.listed_in or "") and country in (info.country or ""):
            return info.title
    raise AssertionError(f"no demo title with {genre} and {country}")


@pytest.mark.parametrize(
    ("lang", "genre", "country"),
    [("es", "Comedia", "Estados Unidos"), ("en", "Comedy", "United States")],
)
async def test_a_card_names_genres_and_countries_in_the_language(
    commands: Commands, catalog: Catalog, lang: str, genre: str, country: str
) -> None:
    name = demo_title(catalog, "Comedy", "United States")
    out = await console(commands, lang, f"/search {name}", "1")
    card = out[1]
    assert genre in card and country in card, card
    if lang == "es":
        assert "Comedy" not in card and "United States" not in card


@pytest.mark.parametrize(
    ("lang", "says"),
    [("es", "No conozco ese comando. /ayuda"), ("en", "I don't know that command. /help")],
)
async def test_the_unknown_command_line_names_the_help_in_the_language(
    commands: Commands, lang: str, says: str
) -> None:
    [out] = await console(commands, lang, "/nonsense")
    assert says in out


async def test_foryou_points_to_puntuar_in_spanish(commands: Commands, catalog: Catalog) -> None:
    commands.store.add(5, catalog.popular(1)[0].id, 5.0)
    [out] = await console(commands, "es", "/parati")
    assert "/puntuar" in out and "/rate" not in out


@pytest.mark.parametrize(("lang", "button"), [("es", "> 3,5"), ("en", "> 3.5")])
async def test_score_buttons_write_the_decimal_sign_of_the_language(
    commands: Commands, lang: str, button: str
) -> None:
    [out] = await console(commands, lang, "/scorecount netflix 2019")
    assert button in out and ("> 3.5" not in out if lang == "es" else True)


@pytest.mark.parametrize(
    ("lang", "verdict", "model_words"),
    [("es", "probablemente", "puntuación del modelo"), ("en", "probably", "model score")],
)
async def test_a_recommendation_in_words(
    commands: Commands, catalog: Catalog, lang: str, verdict: str, model_words: str
) -> None:
    popular = catalog.popular(3)
    person = 5 if lang == "es" else 6
    commands.store.add(person, popular[0].id, 5.0)
    commands.store.add(person, popular[1].id, 1.0)
    [out] = await console(commands, lang, f"/recommend {popular[2].id}")
    assert verdict in out and "★" in out, out
    assert model_words not in out and "<" not in out and "≥" not in out and "umbral" not in out


DEMO = {"es": "puntuaciones de demostración", "en": "demo ratings"}


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_demo_ratings_are_said_once_on_cards_and_foryou(
    commands: Commands, catalog: Catalog, lang: str
) -> None:
    person = 5 if lang == "es" else 6
    for ref in catalog.popular(3):
        commands.store.add(person, ref.id, 5.0)
    name = catalog.title(catalog.popular(1)[0].id).title
    out = await console(commands, lang, "/foryou", f"/search {name}", "1")
    assert out[0].count(DEMO[lang]) == 1, out[0]
    assert out[2].count(DEMO[lang]) == 1, out[2]
    # a readable share: whole percent, never "0,00…"
    assert "top 1%" in out[0] if lang == "en" else "entre el 1\u00a0% mejor" in out[0]


async def test_estado_explains_the_model_choice_in_spanish(commands: Commands) -> None:
    import io

    from chat.console import run_console
    from chat.replies import Person

    admin = Person(user_id=1, chat_id=1, lang="es", is_admin=True)
    out = io.StringIO()
    await run_console(commands, admin, io.StringIO("/estado\n"), out)
    text = out.getvalue()
    assert "Elegido: sin búsqueda (--no-search): los parámetros indicados" in text, text
    assert "the parameters given" not in text


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_status_names_platforms_and_commands_as_people_write_them(
    commands: Commands, lang: str
) -> None:
    """Seen on the real titles: "Por plataforma: amazon 9.668, disney 1.450" and "Comandos:
    /recommend 2" in Spanish. The platforms' names and the commands in the person's words."""
    import io

    from chat.console import run_console
    from chat.replies import Person

    admin = Person(user_id=1, chat_id=1, lang=lang, is_admin=True)
    out = io.StringIO()
    command = "/recomendar" if lang == "es" else "/recommend"
    await run_console(commands, admin, io.StringIO(f"{command} ns1\n/status\n"), out)
    text = out.getvalue()
    line = next(x for x in text.splitlines() if x.startswith(("Por plataforma:", "Per platform:")))
    assert "Amazon Prime Video " in line and "Disney+ " in line and "amazon" not in line, line
    commands_line = text.splitlines()[-2]
    assert f"{command} 1" in commands_line, commands_line
    assert (("/estado 1", "/status 1")[lang == "en"]) in commands_line


@pytest.mark.parametrize(
    ("why", "es"),
    [
        # the sentences model/tune.py writes (its f-strings, filled)
        (
            "SVD n_factors=50 had the lowest validation RMSE, 0.8612, 3.2% below "
            "BaselineOnly's 0.8901 on the same folds",
            "SVD n_factors=50 tuvo el menor RMSE de validación, 0,8612, un 3,2 % por debajo",
        ),
        (
            "the best SVD (0.9012) did not beat BaselineOnly (0.8901) by 0.5% or more on the "
            "same folds, so the model serves BaselineOnly's user and title effects (no factors)",
            "el mejor SVD (0,9012) no mejoró a BaselineOnly (0,8901) en un 0,5 % o más",
        ),
        (
            "SVD {'n_factors': 20, 'n_epochs': 40, 'lr_all': 0.01, 'reg_all': 0.1} had the lowest "
            "validation RMSE, 0.9018, 3.9% below BaselineOnly's 0.9383 on the same folds",
            "SVD (20 factores, 40 épocas, tasa de aprendizaje 0,01, regularización 0,1) tuvo",
        ),
        ("a reason of another shape", "a reason of another shape (en palabras del entrenamiento"),
    ],
)
def test_every_shape_of_the_trainers_reason_in_spanish(why: str, es: str) -> None:
    from chat.model_choice import chosen_reason

    assert es in chosen_reason("es", why)
    assert chosen_reason("en", why).startswith(why.split(" (")[0][:20].split(" {")[0])
    if "{" in why:  # the dictionary the trainer writes: Surprise's names said in words
        assert "n_factors" not in chosen_reason("en", why)


def test_the_chosen_svd_reads_in_words_in_english() -> None:
    """Seen on /estado: "Elegido: SVD {'n_factors': 20, …}", a raw dictionary."""
    from chat.model_choice import chosen_reason

    why = (
        "SVD {'n_factors': 20, 'n_epochs': 40, 'lr_all': 0.01, 'reg_all': 0.1} had the lowest "
        "validation RMSE, 0.9018, 3.9% below BaselineOnly's 0.9383 on the same folds"
    )
    said = str(chosen_reason("en", why))
    assert "SVD (20 factors, 40 epochs, learning rate 0.01, regularisation 0.1) had" in said


def test_spanish_sentences_write_decimals_with_a_comma() -> None:
    """Seen: "«four» no es una nota válida; usa un número de 0 a 5, como 3.5." The Spanish
    catalogue writes every decimal of its own as Spanish does (3,5), as the numbers filled in
    are (locales.number)."""
    import re

    import locales

    es = locales.messages("bot", "es")
    texts = [*es.singular.items(), *((k, f) for k, forms in es.plurals.items() for f in forms)]
    dotted = {key: text for key, text in texts if re.search(r"\d\.\d", text)}
    assert not dotted, dotted


async def test_a_bad_score_is_explained_with_a_spanish_example(commands: Commands) -> None:
    out = await console(commands, "es", "/pornota netflix 2020", "cuatro")
    assert "«cuatro» no es una nota válida; usa un número de 0 a 5, como 3,5." in out[1], out[1]
