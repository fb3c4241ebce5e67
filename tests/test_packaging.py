"""The wheel carries scenarios/ and assets/, and the package finds them there."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(180)
def test_wheel_contains_data_and_finds_it_outside_a_checkout(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=170,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("smtpsim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(p).name for p in (ROOT / "scenarios").glob("*.toml")}
    assert shipped <= {Path(n).name for n in names if n.startswith("simulator/_data/scenarios/")}
    assert any(n.startswith("simulator/_data/assets/") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "from simulator.paths import scenarios_dir; from simulator.scenario import list_scenarios; "
        "print(scenarios_dir()); print(len(list_scenarios()))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert out.returncode == 0, out.stderr
    where, count = out.stdout.split()
    assert Path(where) == site / "simulator" / "_data" / "scenarios"
    assert int(count) == len(shipped)
