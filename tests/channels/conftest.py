"""Fixtures for the channel tests; lets them import their helpers (tests/ is not a package)."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
