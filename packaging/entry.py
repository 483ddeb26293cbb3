"""Entry script of the PyInstaller bundle."""

from twinbench.cli import main

raise SystemExit(main())
