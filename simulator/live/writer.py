"""Live mode's one disk writer: every blocking write of a delivery runs on this thread, in order.

The event loop serves every connection; an fsync can take milliseconds (far
more on a busy disk), and done on the loop it would stall them all. So the
queue file of a submission, a Maildir delivery and the queue's own
bookkeeping are handed to one thread, one job after another. One thread,
not a pool: jobs finish in the order they were given, so UIDs are handed
out in order and a queue file is never removed before it was written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["DiskWriter"]

T = TypeVar("T")


class DiskWriter:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtpsim-disk")

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the writer thread and wait for it (without blocking the loop)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def close(self) -> None:
        """Finish what was handed over, then stop the thread."""
        self._pool.shutdown(wait=True)
