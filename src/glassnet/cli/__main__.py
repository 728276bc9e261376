"""``python -m glassnet.cli``: the same as the ``glassnet`` command."""
import sys

from glassnet.cli import main

sys.exit(main())
