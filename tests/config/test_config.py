"""DATA_DIR, read by one settings base (config/), reaches every entry point: the bot and the API as
before, and now `python -m model` and `python -m etl.eda` too; each command's --data-dir wins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.settings import ApiSettings
from bot.settings import Settings
from config import DataSettings, ServiceSettings, resolve_data_dir
from etl.__main__ import main as etl_main
from etl.eda import main as eda_main
from model.__main__ import main as model_main
from model.synthetic import generate, write_parquet
from tests.etl_helpers import minimal_raw

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ["train", "--no-search", "--quiet", "--factors", "4", "--epochs", "3"]


def _ratings(data_dir: Path) -> Path:
    frame = generate(n_users=40, n_titles=20, n_ratings=600, seed=3).frame
    return write_parquet(frame, data_dir / "processed" / "ratings.parquet")


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no .env and no data/, and no DATA_DIR in the environment."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("DATA_DIR", raising=False)
    return cwd


def test_model_train_uses_data_dir_from_the_environment(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_dir, flag_dir = tmp_path / "env", tmp_path / "flag"
    _ratings(env_dir)
    _ratings(flag_dir)
    monkeypatch.setenv("DATA_DIR", str(env_dir))

    assert model_main(TRAIN) == 0
    assert (env_dir / "models" / "svd.pkl").is_file()
    assert (env_dir / "reports" / "model.md").is_file()
    assert not (elsewhere / "data").exists()

    # --data-dir still overrides the environment
    assert model_main([*TRAIN, "--data-dir", str(flag_dir)]) == 0
    assert (flag_dir / "models" / "svd.pkl").is_file()


def test_python_m_model_reads_data_dir_from_dot_env(tmp_path: Path) -> None:
    """The real entry point, run where a .env names the data folder (as the bot's and the
    API's .env does); nothing is written under the working directory's data/."""
    data = tmp_path / "from-dotenv"
    _ratings(data)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / ".env").write_text(f"TELEGRAM_BOT_TOKEN=\nDATA_DIR={data}\nLOG_LEVEL=INFO\n")
    env = {k: v for k, v in os.environ.items() if k != "DATA_DIR"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "model", *TRAIN],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert (data / "models" / "svd.pkl").is_file()
    assert not (cwd / "data").exists()


def test_model_without_data_dir_or_ratings_names_the_default(elsewhere: Path) -> None:
    """No --data-dir, no DATA_DIR, no .env: the default data/ under the working directory, as
    before (the error names the file it looked for)."""
    assert model_main(TRAIN) == 2
    assert resolve_data_dir(None) == Path("data")


def test_eda_uses_data_dir_from_the_environment(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "env"
    raw = minimal_raw(tmp_path / "raw")
    assert etl_main(["--raw", str(raw), "--out", str(data / "processed"), "-q"]) == 0
    monkeypatch.setenv("DATA_DIR", str(data))

    assert eda_main(["-q"]) == 0
    assert (data / "reports" / "eda.html").is_file()
    assert list((data / "reports").glob("eda_*.png"))
    assert not (elsewhere / "data").exists()

    # --data-dir overrides it: a folder with no processed data is an error, not the env's data
    assert eda_main(["--data-dir", str(tmp_path / "nothing"), "-q"]) == 1


def test_one_base_for_every_entry_point(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot's and the API's settings are the shared base's subclasses, so DATA_DIR (and the
    serving knobs) are read one way for all."""
    assert issubclass(Settings, ServiceSettings) and issubclass(ApiSettings, ServiceSettings)
    assert issubclass(ServiceSettings, DataSettings)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RECOMMEND_THRESHOLD", "4")
    for cls in (Settings, ApiSettings):
        s = cls(_env_file=None)  # type: ignore[call-arg]
        assert s.data_dir == tmp_path and s.recommend_threshold == 4.0
    assert resolve_data_dir(None) == tmp_path
    assert resolve_data_dir(tmp_path / "x") == tmp_path / "x"
    with pytest.raises(ValueError, match="recommend_threshold"):
        ApiSettings(_env_file=None, recommend_threshold=9)  # type: ignore[call-arg]


def test_etl_and_demo_use_data_dir_from_the_environment(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m etl.demo` writes DATA_DIR/raw and `python -m etl` reads it and writes
    DATA_DIR/processed and DATA_DIR/reports, with no flag; --data-dir and --raw/--out win."""
    from etl.demo import main as demo_main

    data = tmp_path / "env"
    monkeypatch.setenv("DATA_DIR", str(data))
    assert demo_main(["--titles", "8", "--ratings", "50"]) == 0
    assert list((data / "raw" / "titles").glob("*.csv"))
    assert etl_main(["-q"]) == 0
    assert (data / "processed" / "titles.parquet").is_file()
    assert (data / "reports" / "etl.json").is_file()
    assert not (elsewhere / "data").exists()

    other = tmp_path / "flag"
    minimal_raw(other / "raw")
    assert etl_main(["--data-dir", str(other), "-q"]) == 0
    assert (other / "processed" / "titles.parquet").is_file()
    # an explicit --out still wins over both
    assert etl_main(["--data-dir", str(other), "--out", str(tmp_path / "o" / "p"), "-q"]) == 0
    assert (tmp_path / "o" / "p" / "titles.parquet").is_file()
