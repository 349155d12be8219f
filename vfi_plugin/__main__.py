"""``python -m vfi_plugin``: the same as ``vfi-slowmo``."""
from .cli import main

raise SystemExit(main())
