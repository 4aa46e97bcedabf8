"""``python -m analysis``: the command line."""

from analysis.study.cli import main

raise SystemExit(main())
