"""The recommender: training and evaluation (`python -m model`) and the serving side."""

from model.recommender import ModelError, Prediction, Recommender, Scored, UserVector

__all__ = ["ModelError", "Prediction", "Recommender", "Scored", "UserVector"]
