"""Reports rendered from facts the hub gathers: the DPIA's facts (:mod:`.dpia`), and an organisation's
transparency reports — the covert influence operations report (:mod:`.cio`) and the Code of Practice
Commitment 16 report (:mod:`.c16`) — computed from the records it is handed (:mod:`.inputs`), laid out as a
:class:`~fimihub.reporting.document.Document` and rendered to HTML, Markdown, CSV, JSON (:mod:`.render`) and
PDF (:mod:`.pdf`) with server-drawn charts (:mod:`.charts`).

This room reads no store and no clock: the same inputs give the same report, byte for byte.
"""
