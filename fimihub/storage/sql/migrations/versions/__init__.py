"""Migration scripts, oldest first. Each one is written by hand and never changed once released."""
