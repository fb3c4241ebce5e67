"""Live mode's one disk writer: every blocking write of a delivery runs on this thread, in order.

The event loop serves every connection; an fsync can take milliseconds (far
more on a busy disk), and done on the loop it would stall them all. So the
queue file of a submission, a Maildir delivery and the queue's own
bookkeeping are handed to one thread, one job after another. One thread,
not a pool: jobs finish in the order they were given, so UIDs are handed
out in order and a queue file is never removed before it was written.

A job goes over a ``queue.SimpleQueue`` and comes back as one
``call_soon_threadsafe`` callback: one wake-up of the thread and one of the
loop per job, nothing more (``run_in_executor`` adds a concurrent future,
its condition variable and a chain of callbacks; a submission's answer
needs no Task either, see ``submit``).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["DiskWriter"]

T = TypeVar("T")
Done = Callable[[Any, BaseException | None], None]  # (the work's result, or the exception it raised)
_Job = tuple[Callable[[], Any], asyncio.AbstractEventLoop, Done]


class DiskWriter:
    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None  # started by the first job, as an executor's
        self._closed = False
        self._lock = threading.Lock()  # close() may run on another thread (asyncio.to_thread)

    def submit(self, work: Callable[[], T], done: Callable[[T | None, BaseException | None], None]) -> None:
        """Run ``work`` on the writer thread; then ``done(result, None)`` or ``done(None, exc)`` on this loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._closed:
                raise RuntimeError("the disk writer is closed")
            if self._thread is None:
                # A daemon: an exit without close() cuts a job off as a crash would, which every
                # durable write is made for (tmp, fsync, link); it never keeps the process alive.
                self._thread = threading.Thread(target=self._serve, name="smtpsim-disk", daemon=True)
                self._thread.start()
            self._jobs.put((work, loop, done))

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the writer thread and wait for it (without blocking the loop)."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()

        def done(result: T | None, error: BaseException | None) -> None:
            if future.cancelled():
                return  # the waiter went away; the work was done all the same
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)  # type: ignore[arg-type]  # None only with an error

        self.submit(work, done)
        return await future

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            work, loop, done = job
            result: Any = None
            error: BaseException | None = None
            try:
                result = work()
            except BaseException as exc:  # handed back to the loop, as an executor's future would
                error = exc
            try:
                loop.call_soon_threadsafe(done, result, error)
            except RuntimeError:
                pass  # the loop is closed: nobody waits for the answer any more; the write is done

    def close(self) -> None:
        """Finish what was handed over, then stop the thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._jobs.put(None)  # after every job already given
        if thread is not None:
            thread.join()
