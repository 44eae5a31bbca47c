"""The domain's shared words (domain/vocabulary.py): a leaf every other package may import."""
