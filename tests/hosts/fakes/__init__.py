"""Fakes of host-editor APIs (Nuke, Resolve) and of the panel process, for the host tests.

They implement only the documented calls the adapters use; each records what
was done to it so that tests can check the effects.
"""
