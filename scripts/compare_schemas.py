"""Compare the structure of two PostgreSQL databases, for drop-in compatibility checks.

A thin command line over `thoth_storages.graph.compare_cli` (same as `python -m thoth_storages.graph.compare_cli`)::

    python scripts/compare_schemas.py EXPECTED_URL ACTUAL_URL [--allowlist FILE] [--exclude-table NAME]...
    python scripts/compare_schemas.py --dump URL          # print the reflected structure as JSON

Exit status: 0 when every difference is allowed, 1 when some are not, 2 on a usage or connection error.
"""

from __future__ import annotations

import sys

from thoth_storages.graph.compare_cli import main

if __name__ == "__main__":
    sys.exit(main())
