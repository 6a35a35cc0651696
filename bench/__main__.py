"""``python -m bench``: run the suite (options: ``python -m bench --help``)."""

import sys

from bench.run import main

sys.exit(main())
