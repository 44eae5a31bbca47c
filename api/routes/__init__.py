"""The endpoints, one APIRouter per tag: questions, titles, recommendations, operations."""
