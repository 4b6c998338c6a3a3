"""``python -m fmnist_viz``: the same as the ``fmnist-viz`` command."""

import sys

from .cli.parser import main

sys.exit(main())
