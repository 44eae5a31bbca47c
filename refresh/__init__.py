"""Catalogue refresh: inbox CSVs -> ETL -> training -> quality gates -> a versioned release.

`python -m refresh run|serve|list|rollback` (docs/refresh.md). A release is a folder
`<DATA_DIR>/releases/<version>/` holding processed/, models/, reports/, changes.parquet and
manifest.json; `<DATA_DIR>/releases/current` is a symlink to the one being served, moved
atomically (refresh/releases.py says why a symlink). The catalogue follows it
(catalog/holder.py); with no releases/ folder the old layout (DATA_DIR/processed, models) serves.

The ETL and the training run as subprocesses (`python -m etl`, `python -m model train`): each
stage's wall time and peak memory are its own, a crash in one cannot corrupt the orchestrator,
and a long-running `serve` keeps no training memory. Nothing here imports bot or api.
"""
