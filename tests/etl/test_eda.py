"""The EDA report: it builds (demo data, real titles), its PNGs are real images, and every
number a finding quotes matches a direct pandas computation over the processed files."""

from __future__ import annotations

import json
import math
import re
import struct
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from charts import (
    Chart,
    available_charts,
    ratings_summary_from_json,
    render_chart,
    summarize_ratings,
)
from charts.ratings import anomaly_name
from charts.titles import MATURITY_LABELS_ES
from domain.genres import genre_key, genre_name
from etl.__main__ import main as etl_main
from etl.demo import main as demo_main
from etl.eda import build_report, load_frames
from etl.eda import main as eda_main
from tests.etl_helpers import minimal_raw

NAMES = {"amazon": "Amazon Prime Video", "disney": "Disney+", "hulu": "Hulu", "netflix": "Netflix"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DURATION_LIKE = r"^\s*\d+\s*(min|seasons?)\s*$"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk; fails unless this is a PNG file."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert data[-8:-4] == b"IEND", "PNG does not end with IEND"
    return width, height


def num(text: str, lang: str = "en") -> float:
    """A number as the finding writes it: 22,998 / 3.53 in English, 22.998 / 3,53 in Spanish."""
    if lang == "es":
        return float(text.replace(".", "").replace(",", "."))
    return float(text.replace(",", ""))


# One pattern per chart and language, with the same groups in the same order, so the same
# assertions check both. Spanish: thousands with a dot, decimal comma, a no-break space before %.
PATTERNS: dict[str, dict[str, str]] = {
    "en": {
        "platforms": r"(.+) carries (\d+)% of all ([\d,]+) titles; (.+) has the highest share of "
        r"TV shows \((\d+)%\)\.",
        "release_years": r"The median release year is (\d+) on (.+) \(newest catalogue\) and "
        r"(\d+) on (.+) \(oldest\); (\d+)% of (.+) titles were released before 2000, the most "
        r"of any platform\.",
        "durations": r"Movies run a median ([\d,]+) min and the longest is (.+) \(([\d,]+) min, "
        r"(.+)\); the show with most seasons is (.+) \(([\d,]+) seasons, (.+)\) while the "
        r"median show has ([\d,]+)\.",
        "maturity": r"The most common maturity rating is (\S+) \((\d+)% of titles\).*; "
        r"([\d,]+) titles carry a duration in the rating column\.$",
        "countries": r"(.+) appears on (\d+)% of the ([\d,]+) titles that name a country "
        r"\(([\d,]+)\); (\d+)% of all titles name no country\.",
        "genres": r"The most frequent genre is (.+) \(([\d,]+) titles, (\d+)% of all\) and a "
        r"title lists ([\d.]+) genres on average",
        "date_added": r"(\d{4}) saw the most additions \(([\d,]+) titles\); date_added is "
        r"missing for (\d+)% of (?:(.+?) )?titles",
        "missing": r"The emptiest cells are (.+); (\d+) of (\d+) columns are complete on every "
        r"platform\.",
        "missing_cell": r"(\w+) on (.+?) \((<1|>99|\d+)%\)",
        "ratings": r"Users rate ([\d.]+) stars on average; ([\d.]+) is the most given rating "
        r"\((\d+)% of ([\d,]+) ratings\) and half-star ratings make up (\d+)%\.",
        "votes_per_user": r"The median user gave ([\d,]+) ratings and the most active ([\d,]+); "
        r"the top 10% of the ([\d,]+) users gave (\d+)% of all ratings\.",
        "votes_per_title": r"The median title has ([\d,]+) ratings and (every title has some|"
        r"(under )?(\d+)% have none), while the most rated, (.+), has ([\d,]+)\.",
        "score_vs_votes": r"Scores of titles with at most ([\d,]+) ratings? have an SD of "
        r"([\d.]+) against ([\d.]+) for titles with ([\d,]+) or more \((.+)\); the rank "
        r"correlation between votes and score is (-?[\d.]+)\.",
        "anomalies": r"The ETL counted ([\d,]+) anomalous rows of (\d+) kinds?, kept as they "
        r"are; the largest is (.+?) \(([\d,]+)",
    },
    "es": {
        "platforms": r"(.+) reúne el (\d+)\u00a0% de los ([\d.]+) títulos; (.+) tiene la mayor "
        r"proporción de series \((\d+)\u00a0%\)\.",
        "release_years": r"La mediana del año de estreno es (\d+) en (.+) \(el catálogo más "
        r"reciente\) y (\d+) en (.+) \(el más antiguo\); el (\d+)\u00a0% de los títulos de "
        r"(.+) se estrenó antes de 2000, más que en ninguna otra plataforma\.",
        "durations": r"Las películas duran una mediana de ([\d.]+) min y la más larga es (.+) "
        r"\(([\d.]+) min, (.+)\); la serie con más temporadas es (.+) \(([\d.]+) temporadas, "
        r"(.+)\) y la serie mediana tiene ([\d.]+)\.",
        "maturity": r"La clasificación por edades más común es (\S+) \(el (\d+)\u00a0% de los "
        r"títulos\).*; ([\d.]+) títulos tienen una duración en la columna de la "
        r"clasificación\.$",
        "countries": r"(.+) aparece en el (\d+)\u00a0% de los ([\d.]+) títulos que indican un "
        r"país \(([\d.]+)\); el (\d+)\u00a0% de todos los títulos no indica ninguno\.",
        "genres": r"El género más frecuente es (.+) \(([\d.]+) títulos, el (\d+)\u00a0% del "
        r"total\) y un título tiene ([\d,]+) géneros de media",
        "date_added": r"(\d{4}) fue el año con más altas \(([\d.]+) títulos\); date_added falta "
        r"en el (\d+)\u00a0% de los títulos(?: de (.+?))?[,.]",
        "missing": r"Las celdas más vacías son (.+); (\d+) de las (\d+) columnas están completas "
        r"en todas las plataformas\.",
        "missing_cell": r"(\w+) en (.+?) \((<1|>99|\d+)\u00a0%\)",
        "ratings": r"Los usuarios puntúan ([\d,]+) estrellas de media; ([\d,]+) es la puntuación "
        r"más dada \(el (\d+)\u00a0% de ([\d.]+) puntuaciones\) y las de media estrella "
        r"suponen el (\d+)\u00a0%\.",
        "votes_per_user": r"El usuario mediano dio ([\d.]+) puntuaciones y el más activo "
        r"([\d.]+); el 10\u00a0% más activo de los ([\d.]+) usuarios dio el (\d+)\u00a0% de "
        r"todas las puntuaciones\.",
        "votes_per_title": r"El título mediano tiene ([\d.]+) puntuaciones y (todos tienen "
        r"alguna|(menos del )?(?:el )?(\d+)\u00a0% no tiene(?: ninguna)?), mientras que el más "
        r"puntuado, (.+), tiene ([\d.]+)\.",
        "score_vs_votes": r"Las notas de los títulos con ([\d.]+) puntuaci(?:ón|ones) como mucho "
        r"tienen una desviación típica de ([\d,]+), frente a ([\d,]+) en los títulos con "
        r"([\d.]+) o más \((.+)\); la correlación de rangos entre votos y nota es "
        r"(-?[\d,]+)\.",
        "anomalies": r"El ETL contó ([\d.]+) filas anómalas de (\d+) tipos?, que se conservan "
        r"tal cual; el tipo más numeroso es (.+?) \(([\d.]+)",
    },
}
EVERY_TITLE_RATED = {"en": "every title has some", "es": "todos tienen alguna"}
NO_ANOMALIES = {"en": "The ETL counted no anomalies.", "es": "El ETL no encontró anomalías."}


def numbers(text: str, lang: str) -> list[float]:
    """Every number a finding quotes, in order, as values (a title's own digits included)."""
    group, point = (",", ".") if lang == "en" else (".", ",")
    g, p = re.escape(group), re.escape(point)
    found = re.findall(
        rf"(?<!\w)-?\d{{1,3}}(?:{g}\d{{3}})+(?:{p}\d+)?|(?<!\w)-?\d+(?:{p}\d+)?", text
    )
    return [num(x, lang) for x in found]


def pct(part: float, whole: float) -> int:
    return round(100 * part / whole)


# ------------------------------------------------------------------ fixtures


def make_processed(base: Path, titles_args: list[str], ratings: int) -> Path:
    raw = base / "raw"
    assert demo_main(["--out", str(raw), *titles_args, "--ratings", str(ratings)]) == 0
    titles_dir = next(
        (titles_args[i + 1] for i, a in enumerate(titles_args) if a == "--titles-from"),
        str(raw / "titles"),
    )
    args = ["--titles", titles_dir, "--ratings", str(raw / "ratings")]
    assert etl_main([*args, "--out", str(base / "processed"), "-q"]) == 0
    return base


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("eda_demo")
    return make_processed(base, ["--titles", "1500", "--seed", "3"], 40_000)


@pytest.fixture(scope="module")
def demo_report(demo_dir) -> tuple[Path, dict[str, Chart]]:
    report, charts = build_report(demo_dir)
    return report, {c.name: c for c in charts}


@pytest.fixture(scope="module")
def real_dir(tmp_path_factory, real_titles_dir) -> Path:
    base = tmp_path_factory.mktemp("eda_real")
    return make_processed(base, ["--titles-from", str(real_titles_dir)], 30_000)


# ------------------------------------------------------------------ the checks, shared


def check_files(report: Path, charts: dict[str, Chart]) -> None:
    html = report.read_text(encoding="utf-8")
    assert set(charts) == set(available_charts()), "every chart is drawn when all inputs exist"
    for name, chart in charts.items():
        path = report.parent / f"eda_{name}.png"
        data = path.read_bytes()
        assert data == chart.png
        width, height = png_size(data)
        assert 600 <= width <= 2000 and 300 <= height <= 1400, (name, width, height)
        assert 8_000 < len(data) < 400_000, (name, len(data))
        assert f"<section id='{name}'>" in html
        assert chart.finding and chart.finding.endswith(".")
    # self-contained: the images are inline, nothing is fetched
    assert html.count("src='data:image/png;base64,") == len(charts)
    assert "http://" not in html and "https://" not in html
    assert "Anomaly details" in html


def check_findings(base: Path, charts: dict[str, Chart], lang: str = "en") -> None:
    """Recompute every quoted number straight from the parquet files and etl.json, reading the
    finding in `lang` ("en" or "es") with that language's patterns and number format."""
    pat = PATTERNS[lang]

    def n(text: str) -> float:
        return num(text, lang)

    proc = base / "processed"
    t = pd.read_parquet(proc / "titles.parquet")
    disp = pd.read_parquet(proc / "display.parquet", columns=["id", "title"])
    r = pd.read_parquet(proc / "ratings.parquet", columns=["userId", "rating", "movieId"])
    etl = json.loads((base / "reports" / "etl.json").read_text())
    name_of = dict(zip(disp["id"], disp["title"], strict=True))
    t["name"] = t["id"].map(name_of).fillna(t["title"])
    f = {name: c.finding_in(lang) for name, c in charts.items()}

    # platforms
    m = re.fullmatch(pat["platforms"], f["platforms"])
    assert m, f["platforms"]
    counts = t["platform"].value_counts()
    shows = (t["type"] == "tv show").groupby(t["platform"]).mean()
    assert m[1] == NAMES[counts.idxmax()] and int(m[2]) == pct(counts.max(), len(t))
    assert n(m[3]) == len(t)
    assert m[4] == NAMES[shows.idxmax()] and int(m[5]) == round(100 * shows.max())

    # release years
    m = re.fullmatch(pat["release_years"], f["release_years"])
    assert m, f["release_years"]
    med = t.groupby("platform")["release_year"].median()
    old = (t["release_year"] < 2000).groupby(t["platform"]).mean()
    assert (int(m[1]), m[2]) == (int(med.max()), NAMES[med.idxmax()])
    assert (int(m[3]), m[4]) == (int(med.min()), NAMES[med.idxmin()])
    assert (int(m[5]), m[6]) == (round(100 * old.max()), NAMES[old.idxmax()])

    # durations: medians and the named outliers
    m = re.fullmatch(pat["durations"], f["durations"])
    assert m, f["durations"]
    mv = t[t["duration_type"] == "min"].dropna(subset=["duration_int"])
    sh = t[t["duration_type"] == "season"].dropna(subset=["duration_int"])
    assert n(m[1]) == int(mv["duration_int"].median())
    longest = mv[mv["duration_int"] == mv["duration_int"].max()]
    assert n(m[3]) == mv["duration_int"].max() and m[2] in set(longest["name"])
    assert m[4] == NAMES[longest.loc[longest["name"] == m[2], "platform"].iloc[0]]
    most = sh[sh["duration_int"] == sh["duration_int"].max()]
    assert n(m[6]) == sh["duration_int"].max() and m[5] in set(most["name"])
    assert n(m[8]) == int(sh["duration_int"].median())

    # maturity ratings
    m = re.match(pat["maturity"], f["maturity"])
    assert m, f["maturity"]
    misplaced = t["rating"].str.match(DURATION_LIKE)
    # A title the platform gave no rating (display.parquet null) is "(none)", not rule 2's "g".
    shown_rating = t["id"].map(
        pd.read_parquet(proc / "display.parquet", columns=["id", "rating"])
        .drop_duplicates("id")
        .set_index("id")["rating"]
    )
    rating = t["rating"].where(shown_rating.notna() | misplaced, "(none)")
    valid = rating[~misplaced & (rating != "(none)")].value_counts()
    # Labels are display.parquet's casing ("TV-MA"); titles.parquet holds "tv-ma".
    assert m[1].lower() == valid.index[0] and int(m[2]) == pct(valid.iloc[0], len(t))
    assert n(m[3]) == misplaced.sum()
    for p in t["platform"].unique():
        vc = rating[(t["platform"] == p) & ~misplaced].value_counts()
        tied = vc[vc == vc.max()].index  # a tie may name any of them
        said = [MATURITY_LABELS_ES.get(r, r) if lang == "es" else r for r in tied]
        assert any(
            re.search(rf"{re.escape(NAMES[p])} (?i:{re.escape(r)})(?=[,;])", f["maturity"])
            for r in said
        )

    # countries and genres: split on commas, each title counted once per item
    def exploded(col: str) -> pd.DataFrame:
        s = t[col].dropna().str.split(",").explode().str.strip()
        return (
            pd.DataFrame({"row": s.index, "item": s.values}).query("item != ''").drop_duplicates()
        )

    m = re.fullmatch(pat["countries"], f["countries"])
    assert m, f["countries"]
    c = exploded("country")
    top = c["item"].value_counts()
    with_country = c["row"].nunique()
    assert m[1].lower() == top.index[0] and n(m[4]) == top.iloc[0]
    assert n(m[3]) == with_country and int(m[2]) == pct(top.iloc[0], with_country)
    assert int(m[5]) == pct(t["country"].isna().sum(), len(t))

    m = re.match(pat["genres"], f["genres"])
    assert m, f["genres"]
    # genres: the platforms' labels merged into the shared vocabulary, once per title
    g = exploded("listed_in")
    g["item"] = g["item"].map(genre_key)
    g = g.dropna().drop_duplicates()
    top = g["item"].value_counts()
    assert m[1] == genre_name(top.index[0], lang) and n(m[2]) == top.iloc[0]
    assert int(m[3]) == pct(top.iloc[0], len(t))
    assert n(m[4]) == round(len(g) / g["row"].nunique(), 1)

    # date added
    m = re.match(pat["date_added"], f["date_added"])
    assert m, f["date_added"]
    years = pd.to_datetime(t["date_added"]).dt.year.value_counts()
    assert int(m[1]) == years.idxmax() and n(m[2]) == years.max()
    missing = t["date_added"].isna().groupby(t["platform"]).mean()
    if m[4] is None:  # the overall form: "of titles", no platform named
        assert int(m[3]) == pct(t["date_added"].isna().sum(), len(t))
    else:
        assert m[4] == NAMES[missing.idxmax()] and int(m[3]) == round(100 * missing.max())

    # missing values per column and platform
    m = re.fullmatch(pat["missing"], f["missing"])
    assert m, f["missing"]
    cols = ["director", "cast", "country", "date_added", "release_year", "duration_int"]
    cols += ["listed_in", "description"]
    nulls = t[cols].isna().groupby(t["platform"]).mean() * 100
    assert int(m[3]) == len(cols) and int(m[2]) == (nulls.max() == 0).sum()
    cells = sorted(
        ((-v, c, p) for p, row in nulls.iterrows() for c, v in row.items() if v > 0),
    )[:3]
    quoted = re.findall(pat["missing_cell"], m[1])
    assert len(quoted) == len(cells)
    for (col, plat, share), (v, c, p) in zip(quoted, cells, strict=True):
        v = -v
        assert (col, plat) == (c, NAMES[p])
        assert share == ("<1" if v < 1 else ">99" if 99 < v < 100 else str(round(v)))

    # ratings distribution
    m = re.fullmatch(pat["ratings"], f["ratings"])
    assert m, f["ratings"]
    vc = r["rating"].value_counts()
    assert n(m[1]) == pytest.approx(r["rating"].astype("float64").mean(), abs=0.0051)
    assert n(m[2]) == vc.idxmax() and int(m[3]) == pct(vc.max(), len(r))
    assert n(m[4]) == len(r)
    assert int(m[5]) == pct(((r["rating"] * 2) % 2 == 1).sum(), len(r))

    # ratings per user
    m = re.fullmatch(pat["votes_per_user"], f["votes_per_user"])
    assert m, f["votes_per_user"]
    per_user = r["userId"].value_counts()
    assert n(m[1]) == int(np.percentile(per_user, 50, method="inverted_cdf"))
    assert n(m[2]) == per_user.max() and n(m[3]) == len(per_user)
    top_k = per_user.sort_values(ascending=False).head(math.ceil(0.1 * len(per_user)))
    assert int(m[4]) == pct(top_k.sum(), len(r))

    # ratings per title (catalogue titles; ratings of unknown ids are not theirs)
    m = re.fullmatch(pat["votes_per_title"], f["votes_per_title"])
    assert m, f["votes_per_title"]
    per_title = r["movieId"].value_counts().reindex(t["id"].unique(), fill_value=0)
    assert n(m[1]) == int(per_title.median())
    unrated = (per_title == 0).sum()
    if unrated == 0:
        assert m[2] == EVERY_TITLE_RATED[lang]
    elif pct(unrated, len(per_title)):
        assert not m[3] and int(m[4]) == pct(unrated, len(per_title))
    else:  # "under 1%" / "menos del 1 %"
        assert m[3] and m[4] == "1"
    assert n(m[6]) == per_title.max()
    assert m[5] in {name_of[i] for i in per_title[per_title == per_title.max()].index}

    # mean score against votes
    m = re.fullmatch(pat["score_vs_votes"], f["score_vs_votes"])
    assert m, f["score_vs_votes"]
    known = r[r["movieId"].isin(set(t["id"]))].astype({"rating": "float64"})
    agg = known.groupby("movieId")["rating"].agg(["mean", "count"])
    lo, hi = int(n(m[1])), int(n(m[4]))
    assert lo == int(np.percentile(agg["count"], 25, method="lower"))
    assert hi == int(np.percentile(agg["count"], 90, method="higher"))
    assert n(m[2]) == pytest.approx(agg.loc[agg["count"] <= lo, "mean"].std(), abs=0.006)
    assert n(m[3]) == pytest.approx(agg.loc[agg["count"] >= hi, "mean"].std(), abs=0.006)
    rho = agg["count"].rank().corr(agg["mean"].rank())
    assert n(m[6]) == pytest.approx(rho, abs=0.006)

    # anomalies, straight from etl.json
    counts = {k: v["count"] for k, v in etl["anomalies"].items() if v["count"]}
    if counts:
        m = re.match(pat["anomalies"], f["anomalies"])
        assert m, f["anomalies"]
        biggest = max(counts, key=lambda k: counts[k])
        assert n(m[1]) == sum(counts.values()) and int(m[2]) == len(counts)
        named = anomaly_name(biggest)  # the kind in words, in the finding's language
        said = named.shown(lang) if hasattr(named, "shown") else named
        assert m[3] == said and n(m[4]) == counts[biggest]
        for sample in etl["anomalies"][biggest]["samples"][:3]:
            assert sample in f["anomalies"]
    else:
        assert f["anomalies"] == NO_ANOMALIES[lang]


# ------------------------------------------------------------------ tests


def test_report_builds_on_demo_data(demo_dir, demo_report) -> None:
    report, charts = demo_report
    assert report == demo_dir / "reports" / "eda.html"
    check_files(report, charts)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_findings_match_the_data_demo(demo_dir, demo_report, lang: str) -> None:
    check_findings(demo_dir, demo_report[1], lang)


def check_languages(charts: dict[str, Chart]) -> None:
    """Both languages quote the same numbers in the same order, each in its own format."""
    for name, chart in charts.items():
        assert set(chart.findings) == {"en", "es"}, name
        en, es = chart.findings["en"], chart.findings["es"]
        assert chart.finding == en == chart.finding_in("en") == chart.finding_in("fr")
        assert chart.finding_in("es") == es != en
        assert es.endswith("."), (name, es)
        assert numbers(es, "es") == numbers(en, "en"), (name, en, es)
        # no English number formats left in the Spanish sentence, and the other way round
        assert not re.search(r"\d\.\d\d?(?!\d)|\d%|\d \S*%", es), (name, es)
        assert not re.search(r"\d,\d\d?(?!\d)|\u00a0%", en), (name, en)


def test_findings_quote_the_same_numbers_in_both_languages(demo_report) -> None:
    charts = demo_report[1]
    check_languages(charts)
    es = charts["platforms"].findings["es"]
    assert es.startswith("Amazon Prime Video reúne el 42\u00a0% de ")
    assert "1.500 títulos" in charts["platforms"].findings["es"]


def test_spanish_number_format() -> None:
    from charts.findings import ES, Numbers

    assert (ES.count(22998), ES.num(3.456, 2), ES.num(-0.02, 2), ES.g(3.5), ES.g(4.0)) == (
        "22.998",
        "3,46",
        "-0,02",
        "3,5",
        "4",
    )
    assert (ES.pct(42), ES.pct("<1"), Numbers("en").pct(42)) == ("42\u00a0%", "<1\u00a0%", "42%")
    assert Numbers("es").num(1234567.891, 1) == "1.234.567,9"


@pytest.mark.realdata
def test_report_on_the_real_titles(real_dir) -> None:
    report, charts = build_report(real_dir)
    by_name = {c.name: c for c in charts}
    check_files(report, by_name)
    check_findings(real_dir, by_name)
    check_findings(real_dir, by_name, "es")
    check_languages(by_name)
    # the shape of the real catalogue, as the issue quotes it
    assert by_name["platforms"].finding.startswith("Amazon Prime Video carries 42% of all 22,998")
    assert "Hulu has the highest share of TV shows (52%)" in by_name["platforms"].finding


def test_bot_path_render_from_frames(demo_dir, demo_report) -> None:
    """What the bot does: frames from the loaded catalogue (+ the ratings summary file)."""
    proc = demo_dir / "processed"
    titles = pd.read_parquet(proc / "titles.parquet")
    frames = {
        "titles": titles,
        "display": pd.read_parquet(proc / "display.parquet"),
        "scores": pd.read_parquet(proc / "scores.parquet"),
    }
    catalogue_only = available_charts(frames)
    assert "platforms" in catalogue_only and "score_vs_votes" in catalogue_only
    assert "ratings" not in catalogue_only and "anomalies" not in catalogue_only
    chart = render_chart("platforms", frames)
    assert chart.finding == demo_report[1]["platforms"].finding
    png_size(chart.png)

    summary = (demo_dir / "reports" / "eda_ratings.json").read_text()
    frames |= ratings_summary_from_json(summary)
    assert render_chart("votes_per_user", frames).finding == (
        demo_report[1]["votes_per_user"].finding
    )
    # a raw ratings frame works too, and gives the same summary as the Arrow path
    ratings = pd.read_parquet(proc / "ratings.parquet", columns=["userId", "rating"])
    rc, ua = summarize_ratings(ratings)
    data = load_frames(demo_dir)
    pd.testing.assert_series_equal(
        rc, data.rating_counts, check_names=False, check_index_type=False
    )
    pd.testing.assert_series_equal(
        ua, data.user_activity, check_names=False, check_index_type=False
    )
    assert render_chart("ratings", {"titles": titles, "ratings": ratings}).finding == (
        demo_report[1]["ratings"].finding
    )

    with pytest.raises(KeyError, match="available: platforms"):
        render_chart("pie", frames)
    with pytest.raises(ValueError, match="etl_report"):
        render_chart("anomalies", frames)
    with pytest.raises(ValueError, match="titles"):
        render_chart("platforms", {})
    assert render_chart("Release-Years", frames).name == "release_years"


def test_cli_on_tiny_data_and_what_is_missing(tmp_path, capsys) -> None:
    """Two titles per platform, a handful of ratings: no chart crashes on degenerate input;
    without ratings.parquet and etl.json the report still builds and says what it skipped."""
    raw = minimal_raw(tmp_path / "raw")
    assert etl_main(["--raw", str(raw), "--out", str(tmp_path / "processed"), "-q"]) == 0
    out = tmp_path / "out"
    assert eda_main(["--data-dir", str(tmp_path), "--out", str(out), "-q"]) == 0
    pngs = sorted(p.name for p in out.glob("eda_*.png"))
    assert pngs == sorted(f"eda_{n}.png" for n in available_charts())
    for p in out.glob("eda_*.png"):
        png_size(p.read_bytes())

    (tmp_path / "processed" / "ratings.parquet").unlink()
    (tmp_path / "reports" / "etl.json").unlink()
    report, charts = build_report(tmp_path, out)
    drawn = {c.name for c in charts}
    assert sorted(p.name for p in out.glob("eda_*.png")) == sorted(f"eda_{n}.png" for n in drawn)
    assert not (out / "eda_ratings.json").exists()
    assert {"ratings", "votes_per_user", "anomalies"}.isdisjoint(drawn)
    assert {"platforms", "durations", "votes_per_title"} <= drawn
    html = report.read_text(encoding="utf-8")
    assert "Not drawn (input absent)" in html and "No <code>etl.json</code>" in html

    assert eda_main(["--data-dir", str(tmp_path / "nothing"), "-q"]) == 1
    assert "run `python -m etl` first" in capsys.readouterr().err


def test_degenerate_findings_exist_in_both_languages() -> None:
    """The fallback sentences (no countries, no genres, no dates, no scores, no anomalies, no
    movies) are there in Spanish too, with the same numbers as the English ones."""
    titles = pd.DataFrame(
        {
            "id": ["a1", "a2", "n1"],
            "platform": ["amazon", "amazon", "netflix"],
            "type": ["tv show"] * 3,
            "title": ["x", "y", "z"],
            "country": [None] * 3,
            "listed_in": [None] * 3,
            "date_added": [None] * 3,
            "release_year": [2001, 1999, 2020],
            "rating": [None, "2 seasons", "tv-ma"],
            "duration_int": [1, None, 3],
            "duration_type": ["season", None, "season"],
        }
    )
    frames = {
        "titles": titles,
        "scores": pd.DataFrame({"id": ["a1", "a2", "n1"], "score": [None] * 3, "votes": [0] * 3}),
        "etl_report": {"anomalies": {"x_y": {"count": 0}}},
        "ratings": pd.DataFrame({"userId": [1], "rating": [4.5]}),
    }
    with warnings.catch_warnings():  # matplotlib: nothing to put on a log axis
        warnings.simplefilter("ignore", UserWarning)
        charts = {n: render_chart(n, frames) for n in available_charts(frames)}
    check_languages(charts)
    assert charts["countries"].findings["es"] == "Ningún título indica un país."
    assert charts["anomalies"].findings["es"] == NO_ANOMALIES["es"]
    assert charts["durations"].findings["es"].startswith("La serie con más temporadas es z (3 ")
    assert "Amazon Prime Video (sin clasificación)" in charts["maturity"].findings["es"]
