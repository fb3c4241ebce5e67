"""The architecture's lines: one import-linter contract per rule of docs/architecture.md's table."""

import ast
import re
import subprocess
import sys
import tomllib
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
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


def test_every_row_of_the_layer_table_has_its_contract():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = doc.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `simulator.")]
    layers = [re.findall(r"`simulator\.([a-z]+)`", row.split("|")[1]) for row in rows]
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    names = [c["name"] for c in contracts]
    assert len(rows) >= 12
    for layer in layers:
        if layer == ["cli"]:
            assert any(n == "Only simulator.ui imports textual" for n in names)  # cli's one rule
            continue
        prefix = " and ".join(layer) + ":"
        matching = [c for c in contracts if c["name"].startswith(prefix)]
        assert matching, f"no contract for the row of {layer} (a contract named {prefix!r} ...)"
        assert set(matching[0]["source_modules"]) == {f"simulator.{m}" for m in layer}
    assert any(c["type"] == "acyclic_siblings" and c["ancestors"] == ["simulator"] for c in contracts)
