"""HTTP API over `catalog` (FastAPI): `python -m api`; see docs/api.md.

Import the app from `api.app` (`create_app`) and settings from `api.settings`; this package
file imports nothing so that `python -m api` can set the BLAS thread count before numpy loads.
"""
