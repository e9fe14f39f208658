"""``python -m grantdesk``: the headless command line."""

import sys

from grantdesk.cli import main

sys.exit(main())
