"""`python -m twinbench` runs the command line."""

from twinbench.cli import main

raise SystemExit(main())
