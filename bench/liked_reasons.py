"""`python -m bench.liked_reasons DATA_DIR`: does the factor cosine of two titles say they are
alike? The evidence behind Recommender.liked_reasons never using it for "because you liked X"
(docs/model.md, why a pick is on someone's list).

On the data dir's trained model: seeded random pairs of titles rated at least 20 times; per
factor-cosine threshold, how many pairs pass and the share of them that share a telling genre,
director or cast member (model/similarity.py's reason codes), against the share of all pairs.
A cosine that meant "alike" would lift that share far above the base rate.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from model import similarity
from model.recommender import Recommender


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--pairs", type=int, default=4000)
    parser.add_argument("--min-ratings", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rec = Recommender.load(args.data_dir / "models")
    if rec.content is None or rec.qi.shape[1] == 0:
        print("needs a trained model with factors and content features", file=sys.stderr)
        return 2
    unit = rec.qi / np.maximum(np.linalg.norm(rec.qi, axis=1, keepdims=True), 1e-12)
    pool = np.flatnonzero(rec.title_counts >= args.min_ratings)
    rng = np.random.default_rng(args.seed)
    a, b = rng.choice(pool, args.pairs), rng.choice(pool, args.pairs)
    keep = a != b
    a, b = a[keep], b[keep]
    cos = np.einsum("ij,ij->i", unit[a], unit[b])
    x, features = rec.content, rec.content_features
    alike = np.array(
        [bool(similarity.reasons(i, j, x, features, 0.0, 0.0)) for i, j in zip(a, b, strict=True)]
    )
    print(
        f"{len(a)} pairs of titles rated {args.min_ratings}+ times; share alike: {alike.mean():.3f}"
    )
    print("| factor cosine >= | pairs | share alike |")
    print("|---|---|---|")
    for t in (-1.0, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
        m = cos >= t
        share = f"{alike[m].mean():.3f}" if m.any() else "—"
        print(f"| {t:g} | {int(m.sum())} | {share} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
