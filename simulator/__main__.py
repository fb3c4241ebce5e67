from simulator.cli.main import entry

raise SystemExit(entry())
