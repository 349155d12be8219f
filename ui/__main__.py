"""``python -m vfi_plugin.ui [FILE]``: the standalone SlowMo window."""
import sys

from .app import main

sys.exit(main())
