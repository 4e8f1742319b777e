"""Indexes that find the signals matching a value: exact, handle similarity, PDQ, text, and the brute-force
reference they are all tested against. Every index saves to the one versioned format in :mod:`.fileformat`."""
