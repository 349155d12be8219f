"""What the installer says: each change ("would ..." in a dry run), warnings, details."""
from __future__ import annotations

import sys


class Output:
    """Prints progress and counts the changes made (or, in a dry run, that would be made)."""

    def __init__(self, dry: bool = False, verbose: bool = False) -> None:
        self.dry = dry
        self.verbose = verbose
        self.changes = 0
        self.warnings: list[str] = []

    def say(self, text: str) -> None:
        print(text, flush=True)

    def change(self, text: str) -> None:
        """Announce one change to the user's system."""
        self.changes += 1
        self.say(("would " if self.dry else "") + text)

    def warn(self, text: str) -> None:
        self.warnings.append(text)
        print(f"warning: {text}", file=sys.stderr, flush=True)

    def detail(self, text: str) -> None:
        """Said with --verbose only."""
        if self.verbose:
            self.say(text)
