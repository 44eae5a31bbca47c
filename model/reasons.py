"""The plain-English reason given with every prediction: the verdict against the threshold and
what the estimate rests on (the person's ratings, the title's, or only the average)."""

from __future__ import annotations


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def explain(
    estimate: float,
    threshold: float,
    who: str,
    title_id: str,
    known_user: bool,
    known_title: bool,
) -> tuple[str, str]:
    """(reason_code, reason) for a clipped estimate; the codes are Prediction.reason_code's."""
    verdict = (
        f"recommended: {_fmt(estimate)} is at least the threshold {_fmt(threshold)}"
        if estimate >= threshold
        else f"not recommended: {_fmt(estimate)} is below the threshold {_fmt(threshold)}"
    )
    if known_user and known_title:
        code = "known"
        why = f"predicted from {who}'s past ratings and what is known of title {title_id}"
    elif known_title:
        code = "unknown_user"
        why = (
            f"{who} has no ratings in the model, so the estimate is the average rating of all"
            f" titles adjusted by how title {title_id} is rated by everyone"
        )
    elif known_user:
        code = "unknown_title"
        why = (
            f"nobody rated title {title_id} in the training data, so the estimate is the"
            f" average rating adjusted by how {who} rates in general"
        )
    else:
        code = "unknown_both"
        why = (
            f"neither {who} nor title {title_id} is in the training data, so the estimate is"
            " the average rating of all titles"
        )
    return code, f"{verdict}; {why}"
