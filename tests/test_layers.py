"""The architecture's lines: only simulator/ui imports textual; protocols are sans-I/O."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simulator"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_textual_is_imported_only_under_simulator_ui():
    offenders = [
        str(p.relative_to(ROOT))
        for p in PACKAGE.rglob("*.py")
        if "textual" in _imports(p) and PACKAGE / "ui" not in p.parents
    ]
    assert offenders == []


def test_protocols_touch_no_sockets_clocks_or_engine():
    forbidden = {"socket", "asyncio", "time", "selectors", "ssl"}
    offenders = {}
    for p in (PACKAGE / "protocols").rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        bad = _imports(p) & forbidden
        if "simulator.engine" in text or "simulator.actors" in text or "simulator.ui" in text:
            bad.add("simulator internals")
        if bad:
            offenders[str(p.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout
