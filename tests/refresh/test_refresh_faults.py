"""Faults round 3 (issue 23) in `refresh run`: a full disk while publishing never leaves
`current` moved without its report, and a run that fails for it says so in one line."""

from __future__ import annotations

import errno
import json
import logging
from pathlib import Path

import pytest

from refresh import releases
from refresh.outcome import RunOptions
from refresh.run import run
from tests.refresh_helpers import copy_tree, lock_is_free, make_inbox, refresh, state

# seconds of training search: more than the helpers' 2 s, so that on a busy machine the search
# still tries an SVD (with none tried, model_vs_baseline fails and nothing publishes)
BUDGET = "10"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("refresh-faults")
    make_inbox(data / "inbox", seed=7)
    done = refresh(data, "run", "--budget", BUDGET)
    assert done.returncode == 0, done.stderr
    return data


def _changed_copy(published: Path, tmp_path: Path) -> Path:
    data = copy_tree(published, tmp_path / "data")
    with open(data / "inbox" / "ratings" / "ratings_1.csv", "a", encoding="utf-8") as f:
        f.write("99999,4.5,1500000000,ns1\n")
    return data


def _opts(data: Path) -> RunOptions:
    return RunOptions(data_dir=data, inbox=data / "inbox", budget=float(BUDGET))


def _enospc(*_: object, **__: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_at_the_run_report_publishes_nothing(
    published: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Today's order moved `current` first and then failed writing the report: monitoring saw
    a failed run while the bot served its release. Now the report comes before the pointer."""
    data = _changed_copy(published, tmp_path)
    before = state(data)
    real_write = releases.write_json

    def full_at_runs(path: Path, payload: dict) -> None:
        if path.parent.name == releases.RUNS:
            _enospc()
        real_write(path, payload)

    monkeypatch.setattr(releases, "write_json", full_at_runs)
    with caplog.at_level(logging.INFO, logger="refresh"):
        result = run(_opts(data))
    assert result.status == "failed" and result.exit_code == 1
    assert "nothing published" in result.message and "No space left" in result.message
    assert "no report written" in result.message and result.report is None
    # not published: same pointer, same releases, no installed-but-unpointed folder left
    assert state(data) == before and lock_is_free(data)
    assert not [r for r in caplog.records if r.exc_info], "one line, no traceback"


def test_a_full_disk_when_moving_the_pointer_publishes_nothing_and_reports_it(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _changed_copy(published, tmp_path)
    before = state(data)
    monkeypatch.setattr(releases, "point", _enospc)
    result = run(_opts(data))
    assert result.status == "failed" and "No space left" in result.message
    assert state(data) == before
    body = json.loads(Path(result.report or "").read_text())
    assert body["status"] == "failed" and body["gates"][-1]["name"] == "internal"


def test_a_full_disk_while_pruning_is_still_published(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _changed_copy(published, tmp_path)
    monkeypatch.setattr(releases, "prune", _enospc)
    result = run(_opts(data))
    assert result.status == "published", result.message
    assert state(data)[0] == result.version
    body = json.loads(Path(result.report or "").read_text())
    assert body["status"] == "published" and body["version"] == result.version


def test_a_release_damaged_before_the_pointer_moves_is_not_published(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishing checks the installed folder against the manifest's checksums."""
    data = _changed_copy(published, tmp_path)
    before = state(data)
    real_install = releases.install

    def install_then_damage(root: Path, staging: Path, version: str) -> Path:
        final = real_install(root, staging, version)
        titles = final / "processed" / "titles.parquet"
        with open(titles, "r+b") as f:
            f.truncate(titles.stat().st_size // 2)
        return final

    monkeypatch.setattr(releases, "install", install_then_damage)
    result = run(_opts(data))
    assert result.status == "failed" and "processed/titles.parquet" in result.message
    assert state(data) == before


def test_a_published_manifest_lists_every_file_with_its_checksum(published: Path) -> None:
    from domain.releasefiles import damage

    release = releases.current(published / "releases")
    assert release is not None
    listed = release.manifest["files"]
    on_disk = {  # every file but the release's own manifest (processed/index/ has one too)
        p.relative_to(release.path).as_posix() for p in release.path.rglob("*") if p.is_file()
    } - {releases.MANIFEST}
    assert set(listed) == on_disk and {"processed/titles.parquet", "models/svd.pkl"} <= on_disk
    assert all(len(f["sha256"]) == 64 and f["bytes"] > 0 for f in listed.values())
    assert damage(release.path, release.manifest) == []


def test_dot_files_and_temporary_names_in_the_inbox_are_neither_read_nor_recorded(
    published: Path, tmp_path: Path
) -> None:
    """Today a partial `.incoming.csv` failed the run, and a complete one was read by the ETL
    without appearing in the manifest."""
    data = _changed_copy(published, tmp_path)
    ratings = data / "inbox" / "ratings"
    titles = data / "inbox" / "titles"
    rows = (ratings / "ratings_1.csv").read_text(encoding="utf-8").splitlines()
    # complete, still under its dot-name: reading it would double every rating
    (ratings / ".incoming.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    # half-copied: reading it would fail the run as cut short
    (titles / ".netflix_titles.csv").write_text(
        (titles / "netflix_titles.csv").read_text(encoding="utf-8")[:5000], encoding="utf-8"
    )
    (ratings / "more.csv.part").write_text(rows[0] + "\n1,4.0,1", encoding="utf-8")
    (ratings / "ratings_1.csv~").write_text(rows[0] + "\n", encoding="utf-8")
    done = refresh(data, "run", "--budget", BUDGET)
    assert done.returncode == 0, done.stderr
    m = releases.current(data / "releases")
    assert m is not None
    paths = sorted(f["path"] for f in m.manifest["inputs"]["files"])
    assert paths == sorted(
        f"{sub}/{p.name}"
        for sub in ("titles", "ratings")
        for p in (data / "inbox" / sub).iterdir()
        if not p.name.startswith(".") and not p.name.endswith(("~", ".part"))
    )
    assert m.manifest["rows"]["ratings"] == len(rows) - 1 - m.manifest["anomalies"].get(
        "malformed_line", 0
    )


def test_a_control_character_in_an_inbox_name_is_refused_in_one_line(
    published: Path, tmp_path: Path
) -> None:
    """Today a newline in a name forged a "published" line in the run's log."""
    data = _changed_copy(published, tmp_path)
    before = state(data)
    forged = "x\n2026-12-01 00:00:00,000 refresh: published release 20990101T000000Z-f0.csv"
    (data / "inbox" / "ratings" / forged).write_text("userId,rating,timestamp,movieId\n")
    done = refresh(data, "run", "--budget", BUDGET)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert not any(ln.startswith("2026-12-01") for ln in lines), lines
    assert any("control characters" in ln and "\\n" in ln for ln in lines), lines
    assert "Traceback" not in done.stderr and state(data) == before
