"""``python -m nianbao.web serve|users-import …``: what ``nianbao serve`` and ``nianbao users``
start (the command line parses the arguments and hands over here)."""

import sys

from nianbao.web.commands import main

sys.exit(main())
