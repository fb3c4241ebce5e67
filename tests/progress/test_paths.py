"""Where the record lives: the XDG rules, and one file per profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.progress.paths import ProfileError, check_profile, data_home, database_path


def test_xdg_data_home_when_set_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert database_path() == tmp_path / "smtpsim" / "progress.db"


@pytest.mark.parametrize("value", ["", "relative/dir"])
def test_falls_back_to_local_share_when_unset_empty_or_relative(monkeypatch, tmp_path, value):
    # The XDG spec: a relative XDG_DATA_HOME is invalid and is ignored.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", value)
    assert data_home() == tmp_path / ".local" / "share"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert database_path() == tmp_path / ".local" / "share" / "smtpsim" / "progress.db"


def test_a_profile_is_a_file_of_its_own_and_the_environment_can_name_it(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert database_path("lab-3") == tmp_path / "smtpsim" / "progress-lab-3.db"
    assert database_path("default") == database_path()
    monkeypatch.setenv("SMTPSIM_PROFILE", "anna")
    assert database_path() == tmp_path / "smtpsim" / "progress-anna.db"


@pytest.mark.parametrize("name", ["", "../x", "a/b", ".hidden", "a b", "x" * 65, "é"])
def test_a_profile_name_that_cannot_be_a_plain_file_name_is_refused(name):
    with pytest.raises(ProfileError, match="profile name"):
        check_profile(name)
    assert Path(f"progress-{check_profile('ok.1_a-b')}.db").name == "progress-ok.1_a-b.db"
