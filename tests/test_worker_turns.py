"""What lets several `watcher worker`s store and send at once on one PostgreSQL database (watcher/run/worker.py,
watcher/store/postgres.py), against a real server started by the tests (tests/postgres.py; skipped without it):

- a worker's store transactions are pipelined: a statement waits for the server only when its result is read,
  and a failure is still raised and rolls the whole transaction back;
- workers take turns to store placed articles on a connection of their own, awaited without stopping the
  waiting worker's loop, a turn letting the worker's queued polls through before it is handed on;
- a delivery made while the sender was letting go of its lock (its nudge found the lock taken) is sent by
  that sender at once, not at the next periodic sweep.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Coroutine

import pytest

from tests.conftest import write_config
from tests.receivers import WebhookReceiver

DEADLINE = 30.0


def run_alone(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `main()` in a thread of its own: a wait that blocked the event loop fails the test instead of hanging it."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as e:  # noqa: BLE001  (raised again in the test's thread)
            failed.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    assert not thread.is_alive(), f"the event loop did not finish in {DEADLINE:.0f}s: a wait blocked it"
    if failed:
        raise failed[0]


def notes(url: str) -> Any:
    from watcher.store.postgres import PostgresDatabase

    db = PostgresDatabase(url)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER)")
    db.learn_identity()
    db.pipelined = True
    return db


def test_a_pipelined_transaction_reads_its_own_writes_and_keeps_those_never_read(postgres: Any) -> None:
    from watcher.store.postgres import PostgresDatabase

    url = postgres.new_database()
    db = notes(url)
    with db.atomic():
        first = db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["a", 1])
        db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["b", 2])  # its result never read
        db.conn.executemany("UPDATE notes SET n = n + ? WHERE name = ?", [(10, "a"), (20, "b")])
        again = db.execute("INSERT INTO notes (name, n) VALUES (?, ?) ON CONFLICT(name) DO NOTHING", ["a", 5])
        with db.atomic():  # a savepoint inside it, kept
            db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["c", 3])
        with pytest.raises(sqlite3.IntegrityError), db.atomic():  # a savepoint that fails, rolled back alone
            db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["d", 4])
            db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["a", 6])
        assert (first.lastrowid, again.rowcount, again.lastrowid) == (1, 0, None)
        inside = db.execute("SELECT name, n FROM notes ORDER BY name").fetchall()
    assert inside == [("a", 11), ("b", 22), ("c", 3)], inside
    other = PostgresDatabase(url)
    assert other.execute("SELECT name, n FROM notes ORDER BY name").fetchall() == inside
    other.close()
    db.close()


def test_a_write_failing_in_a_pipelined_transaction_is_raised_after_it_and_keeps_nothing(postgres: Any) -> None:
    url = postgres.new_database()
    db = notes(url)
    db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["a", 1])
    reached = []
    with pytest.raises(sqlite3.IntegrityError, match="duplicate key"):
        with db.atomic():
            db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["x", 1])
            db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["a", 2])  # sent, not waited for
            reached.append("after the failing write")
            db.execute("SELECT COUNT(*) FROM notes").fetchone()  # the wait: the failure comes here
            reached.append("after the read")
    assert reached == ["after the failing write"], reached
    with pytest.raises(sqlite3.IntegrityError, match="duplicate key"):
        with db.atomic():
            db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["y", 1])
            db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["a", 3])  # nothing read after: the commit fails
    assert db.execute("SELECT name FROM notes ORDER BY name").fetchall() == [("a",)]
    with db.atomic():  # the connection is usable again
        db.execute("INSERT INTO notes (name, n) VALUES (?, ?)", ["z", 1])
    assert db.execute("SELECT COUNT(*) FROM notes").fetchone() == (2,)
    db.close()


def waiting_for_turn(url: str) -> int:
    """How many workers' turn connections wait for the turn lock on the server."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        return int(c.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name LIKE "
                             "'watcher worker turns%%' AND wait_event_type = 'Lock' AND wait_event = 'advisory' "
                             "AND datname = current_database()"
                             ).fetchone()[0])


async def until(what: str, ok: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE / 2
    while not ok():
        assert time.monotonic() < deadline, f"no {what}"
        await asyncio.sleep(0.02)


def test_workers_take_turns_and_one_waiting_for_its_turn_keeps_running(postgres: Any) -> None:
    from watcher.run.worker import Turns

    url = postgres.new_database()
    order: list[str] = []

    async def store(turns: Turns, name: str, hold: asyncio.Event | None = None) -> None:
        async with turns.take():
            order.append(f"{name} in")
            if hold is not None:
                await hold.wait()
            order.append(f"{name} out")

    async def main() -> None:
        async with Turns(url) as one, Turns(url) as two:
            hold = asyncio.Event()
            first = asyncio.create_task(store(one, "one", hold))
            await until("first turn", lambda: order == ["one in"])
            second = asyncio.create_task(store(two, "two"))
            await until("second worker waiting on the server", lambda: waiting_for_turn(url) == 1)
            for _ in range(10):  # this loop, the waiting worker's, runs on while it waits (run_alone's deadline)
                await asyncio.sleep(0.01)
            assert order == ["one in"], order
            hold.set()
            await asyncio.gather(first, second)

    run_alone(main)
    assert order == ["one in", "one out", "two in", "two out"], order


def test_a_turn_lets_the_workers_queued_polls_store_before_it_is_handed_on(postgres: Any,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from watcher.run import worker

    monkeypatch.setattr(worker, "TURN_RUN", 2)
    url = postgres.new_database()
    order: list[str] = []

    async def store(turns: worker.Turns, name: str, hold: asyncio.Event | None = None) -> None:
        async with turns.take():
            if hold is not None:
                await hold.wait()
            order.append(name)

    async def main() -> None:
        async with worker.Turns(url) as one, worker.Turns(url) as two:
            hold = asyncio.Event()
            tasks = [asyncio.create_task(store(one, "one-1", hold))]
            await until("the first turn", lambda: one.held)
            tasks.append(asyncio.create_task(store(two, "two-1")))
            await until("the other worker waiting on the server", lambda: waiting_for_turn(url) == 1)
            tasks += [asyncio.create_task(store(one, f"one-{n}")) for n in (2, 3)]  # queued in the worker
            await until("two polls queued in the worker", lambda: one.queued == 2)
            hold.set()
            await asyncio.gather(*tasks)
            assert not one.held and not two.held

    run_alone(main)
    # a run of TURN_RUN polls of the worker that had the turn, then the other worker's, then the rest
    assert order == ["one-1", "one-2", "two-1", "one-3"], order


def test_a_delivery_made_as_the_sender_lets_go_is_sent_at_once(postgres: Any, tmp_path: Path) -> None:
    """A poll's nudge that ran while this worker was sending found the lock taken and did nothing: the sender
    sends what is due once it has let go of the lock, without the periodic sweep (not run here)."""
    from watcher.config import load_config
    from watcher.model import Target
    from watcher.deliver.sender import Sender
    from watcher.run import worker
    from watcher.run.services import open_pipeline
    from watcher.store import Store

    url = postgres.new_database()
    receiver = WebhookReceiver().start()
    config = load_config(write_config(tmp_path, [], database=url, delivery={"admin": None},
                                      channels={"desk": {"urls": [f"json://{receiver.base}/desk"]}}))
    other = Store(url)  # another worker's store

    class Nudged(Sender):
        """The real sender; right after its last look at the outbox, another worker stores a delivery."""

        looks = 0

        async def send_due(self, *, everything: bool = False) -> Any:
            report = await super().send_due(everything=everything)
            Nudged.looks += 1
            if Nudged.looks == 1:
                other.outbox.add_notice("second", "stored as the sender let go", [Target("desk", 0)])
            return report

    async def main() -> None:
        async with open_pipeline(config, alone=False) as p:
            p.sender = Nudged(p.store, config, p.metrics)
            p.store.outbox.add_notice("first", "waiting for the sender", [Target("desk", 0)])
            await worker.send_while_due(p)
            assert other.outbox.depth() == 0, "a delivery is left for the next sweep"

    try:
        run_alone(main)
        got = [a.message for a in receiver.snapshot()]
        assert Nudged.looks == 2, f"the sender looked at the outbox {Nudged.looks} times"
        assert len(got) == 2 and "waiting for the sender" in got[0] and "as the sender let go" in got[1], got
    finally:
        other.db.close()
        receiver.stop()


def test_a_deliver_job_aborted_mid_send_records_that_send_and_the_next_job_sends_again(postgres: Any,
                                                                                       tmp_path: Path) -> None:
    """procrastinate aborts an async job by cancelling its task: the send in flight is answered and recorded
    (cut short it would be sent again), and the worker's next deliver job sends, not only after a restart."""
    from watcher.config import load_config
    from watcher.model import Target
    from watcher.run import worker
    from watcher.run.services import open_pipeline

    url = postgres.new_database()
    receiver = WebhookReceiver(delay=1.5).start()
    config = load_config(write_config(tmp_path, [], database=url, delivery={"admin": None},
                                      channels={"desk": {"urls": [f"json://{receiver.base}/desk"]}}))

    async def main() -> None:
        async with open_pipeline(config, alone=False) as p:
            p.store.outbox.add_notice("first", "in flight when the job is aborted", [Target("desk", 0)])
            job = asyncio.create_task(worker.send_while_due(p))
            await until("send reaching the receiver", lambda: receiver.attempts == 1)
            job.cancel()  # as procrastinate's abort does
            with pytest.raises(asyncio.CancelledError):
                await job
            assert p.store.outbox.depth() == 0, "the send in flight was not recorded"
            receiver.delay = 0.0
            p.store.outbox.add_notice("second", "queued after the abort", [Target("desk", 0)])
            await worker.send_while_due(p)  # the worker's next deliver job
            assert p.store.outbox.depth() == 0, "the next deliver job sent nothing"

    try:
        run_alone(main)
        got = [a.message for a in receiver.snapshot()]
        assert len(got) == 2 and "in flight" in got[0] and "after the abort" in got[1], got
    finally:
        receiver.stop()


def test_a_poll_cancelled_while_queued_for_the_turn_gives_the_turn_back(postgres: Any) -> None:
    """The turn is kept for a poll queued behind the one storing; if that poll is cancelled while it waits
    (a job aborted), the turn goes back to the server, not held with nobody to use it."""
    from watcher.run.worker import Turns

    url = postgres.new_database()

    async def store(turns: Turns, hold: asyncio.Event) -> None:
        async with turns.take():
            await hold.wait()

    async def main() -> None:
        async with Turns(url) as one, Turns(url) as two:
            hold, never = asyncio.Event(), asyncio.Event()
            first = asyncio.create_task(store(one, hold))
            await until("the first turn", lambda: one.held)
            queued = asyncio.create_task(store(one, never))
            await until("a second poll queued", lambda: one.queued == 1)
            hold.set()  # the first poll ends: the turn is kept for the queued one, which is woken...
            await asyncio.sleep(0)  # (one step of the loop: the first poll's end, not yet the queued one's wake)
            assert first.done() and one.held and not queued.done()
            queued.cancel()  # ...and cancelled before it runs
            with pytest.raises(asyncio.CancelledError):
                await queued
            other = asyncio.create_task(store(two, hold))  # another worker gets the turn at once
            await until("the other worker's turn", lambda: other.done())
            assert not one.held and waiting_for_turn(url) == 0

    run_alone(main)
