"""Spanish and English strings. Spanish unless Telegram says the person uses English.

`t(lang, key, **values)` escapes every value for HTML unless it is already `Html`, so a title
or a name can never break the markup.
"""

from __future__ import annotations

from domain import vocabulary

from .replies import Html, esc

LANGS = ("es", "en")


def lang_of(language_code: str | None) -> str:
    """Telegram's `language_code` -> "en" or "es" (the default, also when unknown)."""
    return "en" if (language_code or "").lower().startswith("en") else "es"


# Command menus registered with set_my_commands, per language.
COMMANDS: dict[str, list[tuple[str, str]]] = {
    "es": [
        ("start", "Menú principal"),
        ("help", "Qué puedo hacer"),
        ("search", "Dónde ver un título: /search <nombre>"),
        ("rate", "Puntúa títulos con estrellas"),
        ("foryou", "Recomendaciones según tus puntuaciones"),
        ("similar", "Títulos parecidos: /similar <título>"),
        ("maxduration", "El título más largo: [año] [plataforma] [min|season]"),
        ("scorecount", "Películas con puntuación mayor que X: <plataforma> <nota> <año>"),
        ("platformcount", "Cuántos títulos tiene una plataforma"),
        ("actor", "Actor más frecuente: <plataforma> <año>"),
        ("recommend", "¿Le gustará?: <usuario> <título o id>"),
        ("top", "Lo mejor para un usuario: <usuario>"),
        ("chart", "Gráficos del catálogo: /chart [nombre]"),
    ],
    "en": [
        ("start", "Main menu"),
        ("help", "What I can do"),
        ("search", "Where to watch a title: /search <name>"),
        ("rate", "Rate titles with stars"),
        ("foryou", "Recommendations from your ratings"),
        ("similar", "Similar titles: /similar <title>"),
        ("maxduration", "The longest title: [year] [platform] [min|season]"),
        ("scorecount", "Movies scored above X: <platform> <score> <year>"),
        ("platformcount", "How many titles a platform has"),
        ("actor", "Most frequent actor: <platform> <year>"),
        ("recommend", "Will they like it?: <user> <title or id>"),
        ("top", "Best picks for a user: <user>"),
        ("chart", "Charts of the catalogue: /chart [name]"),
    ],
}

STRINGS: dict[str, dict[str, str]] = {
    "start": {
        "es": "¡Hola, {name}! Soy StreamRec: te digo qué hay en Amazon Prime Video, Disney+, "
        "Hulu y Netflix, dónde ver cada título y qué ver después.\n\n"
        "Escribe el nombre de un título para saber dónde verlo, o toca una opción:",
        "en": "Hi {name}! I'm StreamRec: I know what's on Amazon Prime Video, Disney+, Hulu and "
        "Netflix, where to watch each title and what to watch next.\n\n"
        "Type a title to find where to watch it, or tap an option:",
    },
    "start_anon": {
        "es": "¡Hola! Soy StreamRec: te digo qué hay en Amazon Prime Video, Disney+, "
        "Hulu y Netflix, dónde ver cada título y qué ver después.\n\n"
        "Escribe el nombre de un título para saber dónde verlo, o toca una opción:",
        "en": "Hi! I'm StreamRec: I know what's on Amazon Prime Video, Disney+, Hulu and "
        "Netflix, where to watch each title and what to watch next.\n\n"
        "Type a title to find where to watch it, or tap an option:",
    },
    "help": {
        "es": "<b>Qué puedo hacer</b>\n"
        "/search &lt;nombre&gt; — dónde ver un título (también basta con escribir el nombre)\n"
        "/similar &lt;título&gt; — títulos parecidos\n"
        "/rate — puntúa títulos con estrellas\n"
        "/foryou — recomendaciones según tus puntuaciones\n"
        "/maxduration [año] [plataforma] [min|season] — el título más largo\n"
        "/scorecount &lt;plataforma&gt; &lt;nota&gt; &lt;año&gt; — películas con nota mayor\n"
        "/platformcount [plataforma] — cuántos títulos tiene\n"
        "/actor &lt;plataforma&gt; &lt;año&gt; — el actor más frecuente\n"
        "/recommend &lt;usuario&gt; &lt;título o id&gt; — ¿se lo recomendamos?\n"
        "/top &lt;usuario&gt; — lo mejor para un usuario\n"
        "/chart [nombre] — gráficos del catálogo, con lo que muestran\n\n"
        "Si faltan datos, te los pregunto con botones. Plataformas: amazon (prime), "
        "disney (disney+), hulu, netflix.",
        "en": "<b>What I can do</b>\n"
        "/search &lt;name&gt; — where to watch a title (or just type the name)\n"
        "/similar &lt;title&gt; — similar titles\n"
        "/rate — rate titles with stars\n"
        "/foryou — recommendations from your ratings\n"
        "/maxduration [year] [platform] [min|season] — the longest title\n"
        "/scorecount &lt;platform&gt; &lt;score&gt; &lt;year&gt; — movies scored above\n"
        "/platformcount [platform] — how many titles it has\n"
        "/actor &lt;platform&gt; &lt;year&gt; — the most frequent actor\n"
        "/recommend &lt;user&gt; &lt;title or id&gt; — should we recommend it?\n"
        "/top &lt;user&gt; — best picks for a user\n"
        "/chart [name] — charts of the catalogue, with what they show\n\n"
        "When something is missing I ask with buttons. Platforms: amazon (prime), "
        "disney (disney+), hulu, netflix.",
    },
    "unknown_command": {
        "es": "No conozco ese comando. /help muestra lo que sé hacer.",
        "en": "I don't know that command. /help shows what I can do.",
    },
    "expired": {
        "es": "Este menú ha caducado. Vuelve a pedirlo, por favor.",
        "en": "This menu has expired. Please ask again.",
    },
    "error": {
        "es": "Lo siento, algo ha fallado al responder. Inténtalo de nuevo en un momento.",
        "en": "Sorry, something went wrong answering that. Please try again in a moment.",
    },
    "menu_search": {"es": "🔎 Dónde ver", "en": "🔎 Where to watch"},
    "menu_rate": {"es": "⭐ Puntuar", "en": "⭐ Rate titles"},
    "menu_foryou": {"es": "🎯 Para ti", "en": "🎯 For you"},
    "menu_md": {"es": "⏱ Más largo", "en": "⏱ Longest"},
    "menu_sc": {"es": "📊 Por nota", "en": "📊 By score"},
    "menu_pc": {"es": "🔢 Por plataforma", "en": "🔢 Per platform"},
    "menu_ac": {"es": "🎭 Actor", "en": "🎭 Actor"},
    "menu_help": {"es": "❓ Ayuda", "en": "❓ Help"},
    "menu_chart": {"es": "📈 Gráficos", "en": "📈 Charts"},
    "chart_pick": {
        "es": "<b>Gráficos del catálogo</b>\n¿Cuál quieres ver?",
        "en": "<b>Charts of the catalogue</b>\nWhich one would you like to see?",
    },
    "chart_none": {
        "es": "No hay gráficos disponibles con estos datos.",
        "en": "No charts are available for these data.",
    },
    "chart_unknown": {
        "es": "No tengo el gráfico «{name}». Estos sí: {names}. O escribe /chart y elige.",
        "en": "I have no chart “{name}”. These I have: {names}. Or send /chart and pick one.",
    },
    "photo_saved": {"es": "imagen guardada en {path}", "en": "image saved to {path}"},
    "chart_failed": {
        "es": "No he podido dibujar el gráfico {name} con estos datos, lo siento.",
        "en": "Sorry, I couldn't draw the chart {name} from these data.",
    },
    "search_hint": {
        "es": "Escribe el nombre de un título (vale con parte del nombre, con erratas).",
        "en": "Type the name of a title (part of the name is fine, typos too).",
    },
    "any_platform": {"es": "Todas", "en": "All"},
    "any_year": {"es": "Cualquier año", "en": "Any year"},
    "older": {"es": "Anteriores »", "en": "Older »"},
    "newer": {"es": "« Recientes", "en": "« Newer"},
    "prev": {"es": "« Anterior", "en": "« Previous"},
    "next": {"es": "Siguiente »", "en": "Next »"},
    "type_min": {"es": "Película (minutos)", "en": "Movie (minutes)"},
    "type_season": {"es": "Serie (temporadas)", "en": "Show (seasons)"},
    "pick_platform": {"es": "¿Qué plataforma?", "en": "Which platform?"},
    "pick_year": {"es": "¿De qué año?", "en": "Which year?"},
    "pick_type": {"es": "¿Película o serie?", "en": "Movie or show?"},
    "pick_score": {"es": "¿Con nota mayor que…?", "en": "Scored above…?"},
    "pick_title": {
        "es": "«{text}» puede ser varios títulos. ¿Cuál?",
        "en": "“{text}” could be several titles. Which one?",
    },
    "not_found": {
        "es": "No encuentro ningún título parecido a «{text}».",
        "en": "I can't find any title like “{text}”.",
    },
    "bad_platform": {
        "es": "No conozco la plataforma «{value}». Usa amazon (prime), disney (disney+), hulu o "
        "netflix.",
        "en": "I don't know the platform “{value}”. Use amazon (prime), disney (disney+), hulu "
        "or netflix.",
    },
    "bad_year": {
        "es": "«{value}» no es un año válido; escribe un año como 2019.",
        "en": "“{value}” is not a valid year; give a year such as 2019.",
    },
    "bad_score": {
        "es": "«{value}» no es una nota válida; usa un número de 0 a 5, como 3.5.",
        "en": "“{value}” is not a valid score; use a number from 0 to 5, such as 3.5.",
    },
    "bad_type": {
        "es": "«{value}» no es un tipo válido; usa min (películas) o season (series).",
        "en": "“{value}” is not a valid type; use min (movies) or season (shows).",
    },
    "bad_user": {
        "es": "«{value}» no es un id de usuario; usa un número entero de 0 a {max}, como 42.",
        "en": "“{value}” is not a user id; use a whole number from 0 to {max}, such as 42.",
    },
    "too_many_args": {
        "es": "Sobran palabras. Uso: {usage}",
        "en": "Too many words. Usage: {usage}",
    },
    "usage_recommend": {
        "es": "/recommend &lt;usuario&gt; &lt;título o id&gt;, por ejemplo /recommend 42 ns1",
        "en": "/recommend &lt;user&gt; &lt;title or id&gt;, for example /recommend 42 ns1",
    },
    "usage_top": {
        "es": "/top &lt;usuario&gt;, por ejemplo /top 42",
        "en": "/top &lt;user&gt;, for example /top 42",
    },
    "usage_similar": {
        "es": "Escribe el título: /similar &lt;título&gt;, por ejemplo /similar the crown",
        "en": "Give the title: /similar &lt;title&gt;, for example /similar the crown",
    },
    "usage_search": {
        "es": "Escribe qué buscar: /search &lt;nombre&gt;, por ejemplo /search stranger things",
        "en": "Say what to look for: /search &lt;name&gt;, for example /search stranger things",
    },
    "md_none": {
        "es": "Ningún título cumple esos filtros{filters}.",
        "en": "No title matches those filters{filters}.",
    },
    "md_movie": {
        "es": "La película más larga{filters}: {titles} — <b>{duration} min</b>.",
        "en": "The longest movie{filters}: {titles} — <b>{duration} min</b>.",
    },
    "md_show": {
        "es": "La serie con más temporadas{filters}: {titles} — <b>{duration} temporadas</b>.",
        "en": "The show with most seasons{filters}: {titles} — <b>{duration} seasons</b>.",
    },
    "md_tie": {"es": " (empate de {n})", "en": " (a tie of {n})"},
    "on_platform": {"es": " en {platform}", "en": " on {platform}"},
    "in_year": {"es": " de {year}", "en": " from {year}"},
    "score_count": {
        "es": "<b>{count}</b> películas de {platform} de {year} tienen nota mayor que {score} "
        "(de {movies} películas de ese año, {rated} con votos).",
        "en": "<b>{count}</b> {platform} movies from {year} are scored above {score} "
        "(of {movies} movies that year, {rated} with votes).",
    },
    "platform_count": {
        "es": "{platform}: <b>{movies}</b> películas, {shows} series, {total} títulos en total.",
        "en": "{platform}: <b>{movies}</b> movies, {shows} shows, {total} titles in total.",
    },
    "platform_total": {
        "es": "Todas: <b>{movies}</b> películas, {shows} series, {total} títulos.",
        "en": "All: <b>{movies}</b> movies, {shows} shows, {total} titles.",
    },
    "actor": {
        "es": "El actor más frecuente en {platform} en {year}: <b>{actor}</b>, en {count} "
        "títulos (de {titles} títulos de ese año, {with_cast} con reparto).",
        "en": "The most frequent actor on {platform} in {year}: <b>{actor}</b>, in {count} "
        "titles (of {titles} titles that year, {with_cast} with a cast listed).",
    },
    "actor_tied": {"es": "Empatan: {names}.", "en": "Tied: {names}."},
    "actor_no_cast_platform": {
        "es": "El catálogo de {platform} no incluye el reparto de sus títulos, así que no puedo "
        "decir qué actor aparece más.",
        "en": "{platform}'s catalogue lists no cast for its titles, so I can't tell which actor "
        "appears most.",
    },
    "actor_none": {
        "es": "Ningún título de {platform} de {year} tiene reparto ({titles} títulos).",
        "en": "No {platform} title from {year} lists a cast ({titles} titles).",
    },
    "recommend_yes": {
        "es": "Usuario {user} y {title}: nota prevista <b>{estimate}</b> ★ (puntuación del "
        "modelo {score} ≥ umbral {threshold}) → <b>se lo recomendamos</b>.",
        "en": "User {user} and {title}: predicted <b>{estimate}</b> ★ (model score {score} ≥ "
        "threshold {threshold}) → <b>recommended</b>.",
    },
    "recommend_no": {
        "es": "Usuario {user} y {title}: nota prevista <b>{estimate}</b> ★ (puntuación del "
        "modelo {score} &lt; umbral {threshold}) → <b>no se lo recomendamos</b>.",
        "en": "User {user} and {title}: predicted <b>{estimate}</b> ★ (model score {score} &lt; "
        "threshold {threshold}) → <b>not recommended</b>.",
    },
    "reason_known": {
        "es": "Motivo: lo prevé a partir de las valoraciones del usuario {user} y de cómo se ha "
        "valorado {title}.",
        "en": "Reason: predicted from user {user}'s past ratings and how {title} has been rated.",
    },
    "reason_unknown_user": {
        "es": "Motivo: el usuario {user} no tiene valoraciones en el modelo, así que uso la media "
        "de todas las notas ajustada por cómo se valora {title}.",
        "en": "Reason: user {user} has no ratings in the model, so the estimate is the average "
        "rating adjusted by how {title} is rated.",
    },
    "reason_unknown_title": {
        "es": "Motivo: nadie valoró {title} en el entrenamiento, así que uso la media ajustada "
        "por cómo puntúa el usuario {user}.",
        "en": "Reason: nobody rated {title} in training, so the estimate is the average rating "
        "adjusted by how user {user} rates.",
    },
    "reason_unknown_both": {
        "es": "Motivo: ni el usuario {user} ni {title} aparecen en el entrenamiento; uso la "
        "media de todas las notas.",
        "en": "Reason: neither user {user} nor {title} is in training, so the estimate is the "
        "average rating.",
    },
    "reason_known_you": {
        "es": "Motivo: lo prevé a partir de tus puntuaciones y de cómo se ha valorado {title}.",
        "en": "Reason: predicted from your ratings and how {title} has been rated.",
    },
    "reason_unknown_user_you": {
        "es": "Motivo: aún no has puntuado títulos que el modelo conozca, así que uso la media "
        "ajustada por cómo se valora {title}.",
        "en": "Reason: you haven't rated titles the model knows yet, so the estimate is the "
        "average rating adjusted by how {title} is rated.",
    },
    "reason_unknown_title_you": {
        "es": "Motivo: nadie valoró {title} en el entrenamiento, así que uso la media ajustada "
        "por cómo puntúas tú.",
        "en": "Reason: nobody rated {title} in training, so the estimate is the average rating "
        "adjusted by how you rate.",
    },
    "reason_unknown_both_you": {
        "es": "Motivo: ni tus puntuaciones ni {title} aparecen en el modelo; uso la media de "
        "todas las notas.",
        "en": "Reason: neither your ratings nor {title} are in the model, so the estimate is the "
        "average rating.",
    },
    "reason_other": {
        "es": "Motivo: es la estimación del modelo para este usuario y este título.",
        "en": "Reason: this is the model's estimate for this user and title.",
    },
    "no_model": {
        "es": "Las recomendaciones no están disponibles ahora mismo (no hay modelo cargado).",
        "en": "Recommendations are not available right now (no model is loaded).",
    },
    "top_header": {
        "es": "<b>Lo mejor para el usuario {user}</b> ({page}/{pages}):",
        "en": "<b>Best picks for user {user}</b> ({page}/{pages}):",
    },
    "top_unknown_user": {
        "es": "El usuario {user} no tiene valoraciones en el modelo; estas son las mejor "
        "valoradas en general.",
        "en": "User {user} has no ratings in the model; these are the best rated overall.",
    },
    "similar_header": {
        "es": "<b>Parecidos a {title}</b> ({page}/{pages}):",
        "en": "<b>Similar to {title}</b> ({page}/{pages}):",
    },
    "similar_none": {
        "es": "No tengo datos para encontrar títulos parecidos a {title}.",
        "en": "I have no data to find titles similar to {title}.",
    },
    "where_header": {"es": "<b>Dónde ver «{text}»</b>:", "en": "<b>Where to watch “{text}”</b>:"},
    "where_line": {"es": "{title} — {platforms}", "en": "{title} — {platforms}"},
    # A recommended title's figure: the expected rating and how high it ranks for the person.
    "top_share": {"es": "entre el {share} mejor", "en": "top {share}"},
    "because_liked": {"es": "porque te gustó {title}", "en": "because you liked {title}"},
    "because_similar_taste": {
        "es": "gusta a gente con gustos como los tuyos",
        "en": "liked by people with tastes like yours",
    },
    "because_popular": {
        "es": "muy bien valorado en general",
        "en": "rated highly by nearly everyone",
    },
    "foryou_header": {
        "es": "<b>Para ti</b>, según tus {n} puntuaciones ({page}/{pages}):",
        "en": "<b>For you</b>, from your {n} ratings ({page}/{pages}):",
    },
    "foryou_none": {
        "es": "Aún no has puntuado nada. Puntúa unos cuantos títulos y te recomiendo.",
        "en": "You haven't rated anything yet. Rate a few titles and I'll recommend.",
    },
    "foryou_more": {
        "es": "Con {n} puntuaciones más afinaré mucho mejor: /rate",
        "en": "{n} more ratings will sharpen these a lot: /rate",
    },
    "rate_prompt": {
        "es": "{title}\n{details}\n¿Qué nota le das? (o «saltar» si no lo has visto)",
        "en": "{title}\n{details}\nHow would you rate it? (or skip if you haven't seen it)",
    },
    "rate_saved": {
        "es": "Guardado: {title} {stars}. Llevas {n} puntuaciones.",
        "en": "Saved: {title} {stars}. You have {n} ratings.",
    },
    "rate_skipped": {"es": "Saltado: {title}.", "en": "Skipped: {title}."},
    "rate_done": {
        "es": "¡Has visto todo lo que tenía para puntuar! Mira /foryou.",
        "en": "You've seen everything I had to rate! Try /foryou.",
    },
    "skip": {"es": "Saltar", "en": "Skip"},
    "enough_show": {"es": "🎯 Ver recomendaciones", "en": "🎯 See recommendations"},
    "saved_toast": {"es": "Guardado", "en": "Saved"},
    "store_unavailable": {
        "es": "Las puntuaciones no están disponibles ahora mismo (su base de datos falla), así "
        "que no he guardado nada. Lo demás funciona: prueba /search o /top.",
        "en": "Ratings are unavailable right now (their database is failing), so nothing was "
        "saved. Everything else works: try /search or /top.",
    },
    "store_unavailable_toast": {
        "es": "Puntuaciones no disponibles",
        "en": "Ratings unavailable",
    },
    "no_titles": {"es": "No hay títulos que mostrar.", "en": "No titles to show."},
    "reload_start": {
        "es": "Recargando datos y modelo en segundo plano…",
        "en": "Reloading data and model in the background…",
    },
    "reload_busy": {"es": "Ya hay una recarga en marcha.", "en": "A reload is already running."},
    "reload_ok": {
        "es": "Recarga hecha en {seconds} s. Datos {version}, modelo {model}.",
        "en": "Reload done in {seconds} s. Data {version}, model {model}.",
    },
    "reload_failed": {
        "es": "La recarga ha fallado; sigo con los datos anteriores ({version}). Motivo: {why}",
        "en": "The reload failed; still serving the previous data ({version}). Reason: {why}",
    },
}


def t(lang: str, key: str, **values: object) -> Html:
    """The string `key` in `lang` with values escaped (unless already Html) and filled in."""
    entry = STRINGS[key]
    template = entry.get(lang) or entry["es"]
    return Html(template.format(**{k: esc(v) for k, v in values.items()}))


# Chart names (charts package) in Spanish; English labels come from charts.chart_titles().
CHART_TITLES_ES = {
    "platforms": "Títulos por plataforma y tipo",
    "release_years": "Años de estreno por plataforma",
    "durations": "Duraciones por plataforma",
    "maturity": "Clasificación por edades por plataforma",
    "countries": "Países de producción más frecuentes",
    "genres": "Géneros más frecuentes",
    "date_added": "Títulos añadidos por año",
    "missing": "Valores que faltan por columna y plataforma",
    "ratings": "Distribución de las puntuaciones",
    "votes_per_user": "Puntuaciones por usuario",
    "votes_per_title": "Puntuaciones por título",
    "score_vs_votes": "Nota media frente a número de votos",
    "anomalies": "Anomalías que encontró el ETL",
}


def chart_label(lang: str, name: str, title: str) -> str:
    """A chart's button label / caption title: Spanish when we have it, else the chart's own."""
    label = CHART_TITLES_ES.get(name, title) if lang == "es" else title
    return f"📊 {label}"


def platform_name(platform: str, lang: str = "es") -> str:
    return vocabulary.platform_name(platform, lang)


def number(lang: str, value: float | int, digits: int = 0) -> str:
    """Thousands separators the way each language writes them (12,345.6 vs 12.345,6).

    The charts' findings write numbers the same way (charts.base.Numbers: the charts package
    imports nothing of the bot); tests/test_bot_chart.py checks that the two agree."""
    text = f"{value:,.{digits}f}"
    if lang == "es":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(lang: str, value: float, digits: int = 0) -> str:
    """A percentage as each language writes it: "85%" in English, "85 %" in Spanish (RAE)."""
    return f"{number(lang, value, digits)}{' %' if lang == 'es' else '%'}"
