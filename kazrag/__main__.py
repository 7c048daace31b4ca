"""`python -m kazrag …` is the `kazrag` command."""

import sys

from kazrag.ui.cli import main

sys.exit(main())
