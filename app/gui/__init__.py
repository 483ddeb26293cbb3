"""Qt front end: application bootstrap (the only core package that imports Qt)."""
