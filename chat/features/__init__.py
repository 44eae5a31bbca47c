"""The bot's features, one module each; importing this package registers every command and
button in chat.registry.REGISTRY (the order of the imports is the order of /help)."""

from . import general, titles, browse, recommend, ratings, questions, charts, watch, people, admin  # noqa: F401, I001
