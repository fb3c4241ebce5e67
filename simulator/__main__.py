from simulator.cli.main import main

raise SystemExit(main())
