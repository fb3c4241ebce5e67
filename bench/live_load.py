"""A load run of live mode: many clients at once, and every message they were told 250 for delivered once.

``smtpsim live --ephemeral`` (the submission-starttls scenario) runs in a
process of its own; CLIENTS clients (threads in a few client processes,
Python's smtplib) each keep one connection (587 style: STARTTLS, AUTH
PLAIN) and send one message after another, each with a Message-ID of its
own, for DURATION seconds. A message counts as accepted when the client
got 250 for its DATA. While they run, the queue directory is counted every
second; when they stop, what is still queued is reported, then the run
waits for the queue to empty and reads Bob's Maildir: every accepted
Message-ID must be there exactly once, and nothing else.

    python bench/live_load.py                       # 200 clients, 25 s
    python bench/live_load.py --clients 50 --duration 5

The last line is ``accepted N delivered N duplicates 0 missing 0 queued-at-end Q``.
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import json
import multiprocessing as mp
import os
import smtplib
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

USER, PASSWORD = "alice@example.org", "correct horse battery staple"
RCPT = "bob@example.net"
BODY = "Hi Bob,\r\n\r\n" + "A line of text to make the message about one kilobyte long.\r\n" * 16


def message(tag: str) -> bytes:
    return (f"From: {USER}\r\nTo: {RCPT}\r\nSubject: load {tag}\r\n"
            f"Message-ID: <load.{tag}@laptop.example.org>\r\n\r\n{BODY}").encode()


def client_process(port: int, ca: str, threads: int, until: float, index: int, out) -> None:
    accepted: list[str] = []
    refused = Counter()
    lock = threading.Lock()

    def one(t: int) -> None:
        n = 0
        mine: list[str] = []
        client = None
        while time.time() < until:
            try:
                if client is None:
                    client = smtplib.SMTP("127.0.0.1", port, local_hostname="laptop.example.org", timeout=60)
                    client.starttls(context=ssl.create_default_context(cafile=ca))
                    client.login(USER, PASSWORD)
                tag = f"{index}.{t}.{n}"
                n += 1
                client.sendmail(USER, [RCPT], message(tag))
                mine.append(f"<load.{tag}@laptop.example.org>")
            except smtplib.SMTPResponseException as exc:
                with lock:
                    refused[exc.smtp_code] += 1
                client = None
            except (OSError, smtplib.SMTPException) as exc:
                with lock:
                    refused[type(exc).__name__] += 1
                client = None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                pass
        with lock:
            accepted.extend(mine)

    workers = [threading.Thread(target=one, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((accepted, dict(refused)))


def queued(root: Path) -> int:
    try:
        return sum(1 for _ in os.scandir(root / "queue" / "new"))
    except FileNotFoundError:
        return 0


def delivered(root: Path) -> Counter:
    box = root / "mail" / RCPT
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    ids: Counter = Counter()
    for sub in ("new", "cur"):
        for entry in os.scandir(box / sub):
            with open(entry.path, "rb") as f:
                ids[parser.parse(f).get("Message-ID", "").strip()] += 1
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=25.0)
    parser.add_argument("--processes", type=int, default=2, help="client processes the threads are spread over")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smtpsim-load-") as tmp:
        data = Path(tmp)
        server = subprocess.Popen(
            [sys.executable, "-m", "simulator.cli.live", "--ephemeral", "--json", "--data-dir", str(data),
             "--max-connections", str(args.clients * 2 + 50)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        info = json.loads(server.stdout.readline())
        root = Path(info["data_dir"])
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        until = time.time() + args.duration
        per = [args.clients // args.processes + (i < args.clients % args.processes) for i in range(args.processes)]
        procs = [ctx.Process(target=client_process, args=(info["ports"]["msa-starttls"], info["ca"], n, until, i, out))
                 for i, n in enumerate(per)]
        for p in procs:
            p.start()
        samples = []
        while time.time() < until:
            time.sleep(1.0)
            samples.append(queued(root))
        results = [out.get(timeout=300) for _ in procs]
        at_end = queued(root)
        for p in procs:
            p.join()
        accepted = [mid for ids, _ in results for mid in ids]
        refused: Counter = Counter()
        for _, r in results:
            refused.update(r)
        start = time.monotonic()
        while queued(root) and time.monotonic() - start < 300:
            time.sleep(0.5)
        drain = time.monotonic() - start
        server.terminate()
        server.wait(timeout=30)
        got = delivered(root)
        dupes = sum(n - 1 for n in got.values() if n > 1)
        missing = sum(1 for mid in accepted if got[mid] == 0)
        extra = sum(1 for mid in got if mid not in set(accepted))
        print(f"{args.clients} clients for {args.duration:g} s: {len(accepted)} accepted "
              f"({len(accepted) / args.duration:.0f}/s), refusals {dict(refused) or 'none'}")
        print(f"queue length each second: {samples}")
        print(f"after the clients stopped: {at_end} queued, empty {drain:.1f} s later")
        print(f"accepted {len(accepted)} delivered {sum(got[m] > 0 for m in set(accepted))} duplicates {dupes} "
              f"missing {missing} unexpected {extra} queued-at-end {at_end}")


if __name__ == "__main__":
    main()
