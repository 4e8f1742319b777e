"""``python -m fimihub.cli`` runs the ``fimihub`` command."""

import sys

from fimihub.cli import main

sys.exit(main())
