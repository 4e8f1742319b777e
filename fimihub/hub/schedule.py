"""Work a running hub does on a schedule: a daemon thread that runs a job now and then every so often.

``fimihub serve`` runs retention this way (every ``retention_interval_hours``), so that a hub that is never
given ``fimihub retention run`` still purges what has expired, from its store and its indexes alike. A failed
run is logged and the next one comes at its time: a job that raises never stops the schedule.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["PeriodicJob"]

_log = logging.getLogger("fimihub.schedule")


class PeriodicJob:
    """Run ``job`` at :meth:`start`, then every ``every_s`` seconds, until :meth:`stop`."""

    def __init__(self, name: str, job: Callable[[], object], every_s: float) -> None:
        if every_s <= 0:
            raise ValueError("every_s must be positive")
        self.name = name
        self.job = job
        self.every_s = every_s
        self.runs = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.name} is already running")
        self._thread = threading.Thread(target=self._loop, name=f"fimihub-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                result = self.job()
                _log.info("%s: %s", self.name, result)
            except Exception:  # a failed run is reported, and the next one comes at its time
                self.failures += 1
                _log.exception("%s failed; the next run is in %s s", self.name, self.every_s)
            self.runs += 1
            if self._stop.wait(self.every_s):
                return
