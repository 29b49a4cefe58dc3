"""`python -m newsledger`: the same command line as `newsledger`."""

import sys

from newsledger.cli.main import main

sys.exit(main())
