"""Live mode's disk writer: one thread, jobs in the order given, each answered back on the event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from simulator.live.writer import DiskWriter

pytestmark = pytest.mark.timeout(30)


def test_jobs_run_in_order_on_one_other_thread_and_answer_on_the_loop() -> None:
    writer = DiskWriter()
    ran: list[tuple[int, int]] = []  # (job, thread it ran on)
    answered: list[tuple[int, object, int]] = []  # (job, result, thread the answer came on)

    async def main() -> int:
        loop_thread = threading.get_ident()
        finished = asyncio.get_running_loop().create_future()

        def job(i: int):
            def work() -> int:
                ran.append((i, threading.get_ident()))
                return i * i
            return work

        def done(i: int):
            def answer(result: object, error: BaseException | None) -> None:
                assert error is None
                answered.append((i, result, threading.get_ident()))
                if len(answered) == 20:
                    finished.set_result(None)
            return answer

        for i in range(20):
            writer.submit(job(i), done(i))
        await finished
        assert await writer.run(lambda: "last") == "last"
        return loop_thread

    loop_thread = asyncio.run(main())
    writer.close()
    assert [i for i, _ in ran] == list(range(20))
    assert len({t for _, t in ran}) == 1 and ran[0][1] != loop_thread  # one thread, not the loop's
    assert answered == [(i, i * i, loop_thread) for i in range(20)]  # in order, on the loop


def test_an_exception_in_a_job_comes_back_to_the_caller_and_the_next_job_still_runs() -> None:
    writer = DiskWriter()

    def full_disk() -> None:
        raise OSError(28, "No space left on device")

    async def main() -> tuple[OSError, str]:
        with pytest.raises(OSError) as raised:
            await writer.run(full_disk)
        return raised.value, await writer.run(lambda: "after")

    error, after = asyncio.run(main())
    writer.close()
    assert error.errno == 28 and after == "after"


def test_close_finishes_every_job_already_given_then_refuses_new_ones() -> None:
    writer = DiskWriter()
    release = threading.Event()
    done: list[int] = []

    def slow() -> None:
        release.wait(10)
        done.append(1)

    async def main() -> None:
        writer.submit(slow, lambda _r, _e: None)
        writer.submit(lambda: done.append(2), lambda _r, _e: None)
        closing = threading.Thread(target=writer.close)
        closing.start()  # close() waits for the thread: both jobs must be done when it returns
        release.set()
        await asyncio.to_thread(closing.join)
        assert done == [1, 2]
        with pytest.raises(RuntimeError):
            writer.submit(lambda: None, lambda _r, _e: None)

    asyncio.run(main())


def test_a_writer_never_used_closes_at_once() -> None:
    writer = DiskWriter()
    writer.close()  # no thread was started, none is waited for
    writer.close()
