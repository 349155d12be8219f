"""Qt front-end (imported as vfi_plugin.ui); the core never imports it."""
