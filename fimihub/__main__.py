"""``python -m fimihub`` runs the ``fimihub`` command."""

import sys

from fimihub.cli import main

sys.exit(main())
