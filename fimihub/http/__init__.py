"""The edges over HTTP, one layer: REST under ``/api/v1`` (:mod:`.api`), TAXII 2.1 under ``/taxii2/``
(:mod:`.taxii`) and the console at ``/`` (:mod:`.console`).

Each is a thin shell over the :class:`~fimihub.Hub`; :func:`fimihub.app.create_app` assembles them.
"""
