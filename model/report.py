"""data/reports/model.md: what `train` chose and why (svd.json) and the latest evaluation
(model.json), rendered as markdown."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from model.artifact import META_FILE

METRIC_COLUMNS = (
    ("rmse", "RMSE"),
    ("mae", "MAE"),
    ("precision@10", "prec@10"),
    ("recall@10", "recall@10"),
    ("ndcg@10", "NDCG@10"),
    ("coverage@10", "coverage of top-10"),
    ("popularity@10_x_mean", "top-10 popularity (x mean title)"),
)


def render_report(report: dict[str, Any]) -> str:
    """The evaluation (model.json) as markdown."""
    algos = report["algorithms"]
    first = next(iter(algos.values()))["metrics"]
    cols = [(k, label) for k, label in METRIC_COLUMNS if k in first]
    nested = report.get("nested")
    how = (
        f"nested: in each outer fold `train`'s selection (search budget"
        f" {report.get('budget_per_fold', 0):g} s) runs on the training part only"
        if nested
        else "plain cross-validation of fixed parameters"
    )
    lines = [
        "# Recommender evaluation",
        "",
        f"{report['folds']}-fold cross-validation (Surprise KFold, shuffle, random_state="
        f"{report['cv_seed']}) on {report['data']['ratings']:,} ratings from"
        f" `{report['data']['path']}`, {how}. Mean over folds (± std). Top-10 lists for up to"
        f" 300 people per fold, titles rated in training left out. Created {report['created']}.",
        "",
        "| model | " + " | ".join(label for _, label in cols) + " | fit s |",
        "|---" * (len(cols) + 2) + "|",
    ]
    for name, res in algos.items():
        cells = [f"{res['metrics'][k]:.4f} ± {res['std'][k]:.4f}" for k, _ in cols]
        cells.append(f"{res['metrics']['fit_seconds']:.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    if "selections" in report:
        lines += ["What the selection chose in each outer fold:", ""]
        for c in report["selections"]:
            p = c["params"]
            lines.append(
                f"- fold {c['fold']}: {c['chosen']}"
                + (
                    f" ({p['n_factors']} factors, {p['n_epochs']} epochs, lr {p['lr_all']},"
                    f" reg {p['reg_all']})"
                    if c["chosen"] == "SVD"
                    else ""
                )
                + f": {c['why']}"
            )
        lines.append("")
    elif "SVD" in algos and "params" in algos["SVD"]:
        p = algos["SVD"]["params"]
        lines += ["SVD parameters: " + ", ".join(f"{k}={v}" for k, v in p.items()), ""]
    if "grid" in report:
        g = report["grid"]
        lines += [
            f"## Grid search ({g['folds']} folds, best first)",
            "",
            "| n_factors | n_epochs | lr_all | reg_all | RMSE | MAE |",
            "|---|---|---|---|---|---|",
        ]
        for r in g["results"]:
            q = r["params"]
            lines.append(
                f"| {q['n_factors']} | {q['n_epochs']} | {q['lr_all']} | {q['reg_all']} |"
                f" {r['rmse']:.4f} | {r['mae']:.4f} |"
            )
        lines.append("")
    if "fold_in" in report and report["fold_in"].get("rmse"):
        lines += render_fold_in(report["fold_in"])
    if report.get("hybrid"):
        lines += render_hybrid(report["hybrid"])
    return "\n".join(lines)


def render_hybrid(h: dict[str, Any]) -> list[str]:
    """evaluate's hybrid part (model/hybrid_eval.py) as markdown."""
    if "skipped" in h:
        return ["## Hybrid (content features)", "", f"Not measured: {h['skipped']}", ""]
    nt = h["new_titles"]
    lines = [
        "## Hybrid (content features)",
        "",
        f"One seeded split (seed {h['seed']}): all ratings of {nt['titles']:,} titles (10%) and"
        f" of the held-out people left out of training ({h['train_ratings']:,} ratings left).",
        "",
        f"**New titles** ({nt['ratings_scored']:,} ratings of the half of them that did not"
        f" choose the ridge strength {nt['alpha']:g}): hybrid RMSE {nt['rmse_hybrid']:.4f}"
        f" against {nt['rmse_mean_person_bias']:.4f} for mean + person bias"
        f" ({100 * nt['improvement']:+.1f}% better).",
        "",
        "**New people**, given a few of their ratings, scored on the others:",
        "",
        "| given | model | RMSE | NDCG@10 | top-10 coverage |",
        "|---|---|---|---|---|",
    ]
    people = h["new_people"]
    for given, by_model in people.items():
        if not given.startswith("given "):
            continue
        for name, m in by_model.items():
            cov = f"{100 * m['coverage']:.1f}%" if "coverage" in m else "-"
            lines.append(f"| {given} | {name} | {m['rmse']:.4f} | {m['ndcg@10']:.4f} | {cov} |")
    if "boost" in people:
        bo = people["boost"]
        lines += [
            "",
            f"({people.get('people', '?')} people; the content boost's strength"
            f" **{bo['value']:g}** was chosen on {bo['people']} others, by NDCG@10 averaged"
            " over given 1/3/5:)",
            "",
        ]
        lines += render_boost_table(bo["table"], bo["value"])
    ob = h["onboarding"]
    lines += [
        "",
        f"**Onboarding** ({ob['people']} people, {ob.get('splits', 0)} answerable/test splits;"
        f" each way of asking walks down its order until 5 titles are answered; scored with"
        f" the content boost {ob.get('boost', 0):g}; ± is the bootstrap standard error of the"
        " difference from random popular):",
        "",
    ]
    if "random popular" in ob:
        lines += [
            "| the 5 answered | RMSE | vs random popular | NDCG@10 | vs random popular |"
            " titles shown for 5 answers |",
            "|---|---|---|---|---|---|",
        ]
        for name in (k for k in ob if isinstance(ob[k], dict)):
            m = ob[name]
            d_rmse = (
                f"{m['rmse_vs_random']:+.4f} ± {m['rmse_vs_random_se']:.4f}"
                if "rmse_vs_random" in m
                else "-"
            )
            d_ndcg = (
                f"{m['ndcg_vs_random']:+.4f} ± {m['ndcg_vs_random_se']:.4f}"
                if "ndcg_vs_random" in m
                else "-"
            )
            lines.append(
                f"| {name} | {m['rmse']:.4f} | {d_rmse} | {m['ndcg@10']:.4f} | {d_ndcg} |"
                f" {m['asks']:.1f} |"
            )
    lines.append("")
    return lines


def render_boost_table(table: dict[str, Any], chosen: float) -> list[str]:
    """The content boost's validation table: RMSE / NDCG@10 per strength and size."""
    sizes = list(next(iter(table.values()))) if table else []
    lines = [
        "| content boost | " + " | ".join(f"{g}: RMSE / NDCG@10" for g in sizes) + " |",
        "|---" * (len(sizes) + 1) + "|",
    ]
    for b, by_size in table.items():
        label = f"**{b}** (chosen)" if float(b) == chosen else b
        cells = [f"{m['rmse']:.4f} / {m['ndcg@10']:.4f}" for m in by_size.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def render_fold_in(f: dict[str, Any]) -> list[str]:
    given = f["given"]
    half = "; chosen on half of them, RMSE on the other half" if f.get("nested") else ""
    lines = [
        f"## Fold-in for new people ({f['users']} held-out people{half})",
        "",
        f"Chosen: **{f['label']}**. RMSE on their other ratings after folding in a few:",
        "",
        "| method | " + " | ".join(f"given {g}" for g in given) + " |",
        "|---" * (len(given) + 1) + "|",
    ]
    for name, by_g in f["rmse"].items():
        label = "unknown user: mean + title bias (Surprise)" if name == "baseline" else name
        if name == f["label"]:
            label = f"**{label}** (chosen)"
        vals = [by_g.get(g, by_g.get(str(g))) for g in given]
        lines.append(f"| {label} | " + " | ".join(f"{v:.4f}" if v else "-" for v in vals) + " |")
    lines.append("")
    return lines


def render_selection(meta: dict[str, Any]) -> str:
    """What `train` chose and why (from svd.json)."""
    sel = meta.get("selection") or {}
    lines = [
        "# Recommender training",
        "",
        f"Model `{meta.get('model_id', '?')}`, created {meta.get('created', '?')}:"
        f" **{meta.get('algorithm', '?')}** on {meta.get('data', {}).get('ratings', 0):,}"
        " ratings.",
        "",
        f"Why: {sel.get('reason', 'not recorded')}.",
        "",
    ]
    if sel.get("searched"):
        how = f"{sel['folds']}-fold CV" if sel["folds"] > 1 else "one 80/20 hold-out split"
        sample = (
            f" on a seeded sample of people ({sel['search_ratings']:,} of"
            f" {sel['total_ratings']:,} ratings)"
            if sel.get("sampled")
            else f" on all {sel['search_ratings']:,} ratings"
        )
        lines += [
            f"Search: {how}{sample}, {sel['seconds']:.0f} s of a {sel['budget_seconds']:.0f} s"
            f" budget; {sel['skipped_for_budget']} candidates skipped for the budget."
            f" BaselineOnly on the same folds: {sel['baseline_rmse']:.4f}.",
            "",
            "| factors | epochs | lr | reg | validation RMSE | vs BaselineOnly | fit s |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in sel.get("candidates", []):
            p = c["params"]
            rel = (c["rmse"] / sel["baseline_rmse"] - 1) * 100
            lines.append(
                f"| {p['n_factors']} | {p['n_epochs']} | {p['lr_all']} | {p['reg_all']} |"
                f" {c['rmse']:.4f} | {rel:+.1f}% | {c['fit_seconds']:.1f} |"
            )
        lines.append("")
    f = meta.get("fold_in") or {}
    if f.get("rmse"):
        lines += render_fold_in(f)
    elif f:
        lines += [f"Fold-in: {f.get('method')} with reg {f.get('reg')} ({f.get('chosen_by')}).", ""]
    boost = (meta.get("hybrid") or {}).get("boost")
    if boost:
        lines += [
            f"Content boost for newcomers' lists: **{boost['value']:g}**"
            f" ({boost.get('chosen_by', '?')}).",
            "",
        ]
        if boost.get("table"):
            lines += [*render_boost_table(boost["table"], boost["value"]), ""]
    return "\n".join(lines)


def write_model_report(data_dir: Path) -> str:
    """data/reports/model.md: what train chose and why (svd.json), then the latest evaluation
    (model.json) when there is one."""
    data_dir = Path(data_dir)
    reports = data_dir / "reports"
    parts = []
    with contextlib.suppress(OSError, json.JSONDecodeError):
        parts.append(render_selection(json.loads((data_dir / "models" / META_FILE).read_text())))
    with contextlib.suppress(OSError, json.JSONDecodeError, KeyError):
        parts.append(render_report(json.loads((reports / "model.json").read_text())))
    md = "\n".join(parts)
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "model.md").write_text(md)
    return md
