#!/usr/bin/env python3
"""Fetch/prepare the training and evaluation data (see vfi_plugin/train/data/fetch.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vfi_plugin.train.data.fetch import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
