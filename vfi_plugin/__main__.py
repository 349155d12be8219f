"""``python -m vfi_plugin``: the same as ``vfi-slowmo``."""
from .cli import main

if __name__ == "__main__":  # not when a worker process (Dask's LocalCluster) re-imports it
    raise SystemExit(main())
