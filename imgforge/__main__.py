"""`python -m imgforge` runs the CLI."""

import sys

from imgforge.cli import main

sys.exit(main())
