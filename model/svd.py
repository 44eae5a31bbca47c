"""Surprise's SVD as streamrec trains it: its hyper-parameters and one fit on a CompactTrainset.

Shared by training (model/train.py), the search (model/tune.py), the evaluation
(model/evaluate.py) and the fold-in choice (model/fold_in_choice.py), none of which needs the
others to fit a model.
"""

from __future__ import annotations

from dataclasses import dataclass

from surprise import SVD

from model.data import EpochProgress, Ratings
from model.trainset import CompactTrainset


@dataclass(frozen=True)
class SVDParams:
    """Hyper-parameters. The defaults are the search's starting point and what `--no-search`
    trains: on MovieLens 100k (real ratings, issue 12) 100 factors, 40 epochs, lr 0.01, reg 0.1
    gave RMSE 0.910 against 0.935 for Surprise's defaults and 0.944 for BaselineOnly
    (docs/model.md)."""

    n_factors: int = 100
    n_epochs: int = 40
    lr_all: float = 0.01
    reg_all: float = 0.1
    random_state: int = 42

    def algo(self, verbose: bool = False) -> SVD:
        return SVD(
            n_factors=self.n_factors,
            n_epochs=self.n_epochs,
            lr_all=self.lr_all,
            reg_all=self.reg_all,
            random_state=self.random_state,
            verbose=verbose,
        )


def fit(ratings: Ratings, params: SVDParams, progress: bool = True) -> tuple[SVD, CompactTrainset]:
    """Fit SVD with `params` on `ratings`; a line per epoch on stderr when `progress`."""
    trainset = CompactTrainset(ratings)
    epochs = EpochProgress(params.n_epochs, trainset.n_ratings) if progress else None
    trainset.on_epoch = epochs
    algo = params.algo().fit(trainset)
    if epochs is not None:
        epochs.finish()
        trainset.on_epoch = None
    return algo, trainset
