"""The panel's controllers: each drives one kind of work through the panel's sections
and state (clip loading, playback, preview, render). They hold the panel they serve."""
