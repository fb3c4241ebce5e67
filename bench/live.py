"""Live mode's submission server against aiosmtpd, receiving the same load in the same run.

Each of the three servers runs in a process of its own on 127.0.0.1; the clients are
Python's smtplib in 1 or 4 other processes. Every message goes over port-587
style submission: STARTTLS (TLS 1.3, a certificate from live mode's CA), AUTH
PLAIN, MAIL, RCPT, DATA (about 1 KiB), 250. Two ways of sending:

- reused: one connection per client process, STARTTLS and AUTH once, then
  one message after another;
- new: a new connection (TCP, greeting, EHLO, STARTTLS handshake, EHLO, AUTH,
  the message, QUIT) for every message.

    python bench/live.py            # full size
    python bench/live.py --quick    # a smoke run

What each server does with a message (stated, because it is not the same):

- ours: the live MSA of the submission-starttls scenario with its queue held
  (``--hold-queue``: accept and keep, no relay). Before the 250 it adds
  Received (and Message-ID/Date if missing), checks that the login owns the
  From: address, DKIM-signs the message (RSA 2048, rsa-sha256,
  relaxed/relaxed; since 2026-12-04), and writes one queue file (the envelope
  as a header line on top of the message, as Postfix keeps both in one file):
  into the queue's ``tmp``, fsync'd, linked into ``new``, the ``tmp`` name
  removed, then ``new`` fsync'd (``simulator.live.durable.write_once``, ``new``
  kept open): two fsyncs, of the file and of the directory. The write runs on
  live mode's writer thread (``simulator.live.writer``); the event loop hands
  it over, serves other clients meanwhile and sends the 250 when it is done.
  It narrates every line into the live trace with its explanation (bounded:
  the trace keeps a share of lines per connection), as it always does;
- aiosmtpd 1.4: its SMTP class with the same TLS context, require_starttls,
  auth_required and an authenticator checking the same password; the handler
  writes the message to a Maildir (``mailbox.Maildir.add``: the file is
  written and fsync'd in ``tmp``, linked into ``new`` and the ``tmp`` name
  removed; the directory is not fsync'd) on the event loop itself, and answers
  250. One fsync instead of two; no trace, no Received header, no signature,
  no From: check, no writer thread;
- aiosmtpd doing the same work (``SameWork``, since 2026-12-04): the same
  SMTP class and TLS, and a handler that does what ours does to a message
  with the same functions ours calls: the From: check, ``complete_submission``
  (Received:, Message-ID/Date if missing), the DKIM signature
  (``dkimcheck.sign``, RSA 2048 from live mode's ``ensure_dkim_key``) and the
  queue file through ``durable.write_once`` (two fsyncs, ``new`` kept open),
  on the event loop. What is left between it and ours is our server
  machinery: the SMTP state machine, the trace, the writer thread.

Beside messages per second (the clients' clock, which a busy machine
disturbs), each row shows each server's CPU time per message: the server
process's user + system time (``/proc/PID/stat``, every thread of it, so
ours includes the writer thread) over the cell, divided by the messages it
took.

Before the last line, one line gives two parts of ours that aiosmtpd has no
counterpart for, measured apart in the bench's own process with the same
functions the server calls (nothing in the server is switched off): the DKIM
signature and the narration into a live trace, per message, and the
cpu-ratio with both taken out of ours.

The last line is ``ratio X.XX cpu-ratio Y.YY same-work-cpu-ratio Z.ZZ``: our
messages/s over bare aiosmtpd's, bare aiosmtpd's server CPU per message over
ours (above 1: ours costs less), and the same-work aiosmtpd's CPU per message
over ours, all for the reused connection, 1 client process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mailbox
import multiprocessing as mp
import os
import signal
import smtplib
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

USER, PASSWORD = "alice@example.org", "correct horse battery staple"
RCPT = "bob@example.net"
HOSTNAME = "smtp.example.org"
BODY = ("Hi Bob,\r\n\r\n" + "A line of text to make the message about one kilobyte long.\r\n" * 16
        + "\r\nAlice\r\n")


def message(i: int) -> bytes:
    return (f"From: {USER}\r\nTo: {RCPT}\r\nSubject: bench {i}\r\nDate: Sat, 28 Nov 2026 09:00:00 +0000\r\n"
            f"Message-ID: <bench.{os.getpid()}.{i}@laptop.example.org>\r\n\r\n{BODY}").encode()


# --- the servers (each in its own process) ------------------------------------------------------------


def serve_ours(data_dir: Path) -> None:
    from simulator.live import LiveMode, LiveOptions
    from simulator.scenario.library import open_scenario

    async def main() -> None:
        mode = LiveMode(open_scenario("submission-starttls"),
                        LiveOptions(ephemeral=True, data_dir=data_dir, hold_queue=True, max_connections=1000,
                                    max_per_address=1000))
        await mode.start()
        assert mode.certs is not None
        msa = mode.certs.for_name(mode.world.msa.hostname)  # the submission server's own certificate
        print(json.dumps({"port": mode.ports["msa-starttls"], "ca": str(mode.certs.ca),
                          "cert": str(msa.cert), "key": str(msa.key)}), flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await mode.stop()

    asyncio.run(main())


class SameWork:
    """What ours does to a message before its 250, done with the same functions, for aiosmtpd.

    The From: check (``email.utils.getaddresses`` on the From: field),
    ``complete_submission`` (Received:, and Message-ID/Date if missing), the DKIM
    signature (``dkimcheck.sign``: rsa-sha256, relaxed/relaxed, an RSA 2048 key
    made by live mode's own ``ensure_dkim_key``) and the queue file (the envelope
    as a header line on top, ``durable.write_once``: tmp, fsync, link into
    ``new``, fsync of ``new`` kept open). Called on aiosmtpd's event loop, as its
    handlers are: no writer thread, no trace, no SMTP machine of ours.
    """

    def __init__(self, data_dir: Path) -> None:
        from simulator.live.dkimkey import ensure_dkim_key
        from simulator.live.durable import KeptDirectory

        self.key = ensure_dkim_key(data_dir / "dkim", USER.split("@")[1])
        self.root = data_dir / "queue"
        for sub in ("tmp", "new"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.new = KeptDirectory(self.root / "new")

    def accept(self, login: str, sender: str, recipients: list[str], content: bytes, peer_ip: str) -> str | None:
        """The queue id the message was written under, or None when the login does not own its From:."""
        import secrets
        from email.utils import getaddresses

        from simulator.delivery.authentication.dkimcheck import sign
        from simulator.live.durable import write_once
        from simulator.mail.headers import complete_submission, header_value

        if any(address and address.lower() != login.lower()
               for _name, address in getaddresses([header_value(content, "From")])):
            return None
        queue_id = secrets.token_hex(5).upper()
        now = time.time()
        content = complete_submission(
            content, helo="laptop.example.org", client_host="laptop.example.org", client_ip=peer_ip,
            msa_host=HOSTNAME, with_protocol="ESMTPSA", recipients=tuple(recipients), queue_id=queue_id,
            message_id=lambda: f"<{secrets.token_hex(8)}@{self.key.domain}>", t=now, auth_user=login)
        content = sign(content, self.key, int(now)) + content
        body = content.replace(b"\r\n", b"\n")
        envelope = {"id": queue_id, "sender": sender, "recipients": recipients, "arrival": now, "size": len(body)}
        line = b"X-Smtpsim-Envelope: " + json.dumps(envelope, separators=(",", ":")).encode() + b"\n"
        if not write_once(self.root / "tmp", self.root / "new", queue_id, line + body, kept=self.new):
            raise FileExistsError(queue_id)
        return queue_id


def serve_aiosmtpd(data_dir: Path, cert: str, key: str, same_work: bool = False) -> None:
    import logging

    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    logging.getLogger("mail.log").setLevel(logging.ERROR)  # its own deprecation notice on every AUTH

    data_dir.mkdir(parents=True, exist_ok=True)
    maildir = mailbox.Maildir(data_dir / "maildir", factory=None, create=True)
    work = SameWork(data_dir) if same_work else None

    class StoreHandler:
        async def handle_DATA(self, server, session, envelope) -> str:
            if work is None:
                maildir.add(envelope.original_content.replace(b"\r\n", b"\n"))  # one fsync, the file's
                return "250 2.0.0 Ok: queued"
            login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else ""
            queue_id = work.accept(login, envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                                   session.peer[0])
            if queue_id is None:
                return "553 5.7.1 From: is not yours"
            return f"250 2.0.0 Ok: queued as {queue_id}"

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
            and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, auth_data=auth_data)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        handler = StoreHandler()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname=HOSTNAME, tls_context=context, require_starttls=True,
                         auth_required=True, auth_require_tls=True, authenticator=authenticator, loop=loop),
            "127.0.0.1", 0, backlog=512)
        print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        server.close()
        if work is not None:
            work.new.close()

    asyncio.run(main())


def start_server(kind: str, data_dir: Path, extra: dict | None = None) -> tuple[subprocess.Popen, dict]:
    args = [sys.executable, __file__, "--serve", kind, "--data-dir", str(data_dir)]
    if extra:
        args += ["--cert", extra["cert"], "--key", extra["key"]]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=30)
        raise SystemExit(f"bench: the {kind} server did not start")
    return proc, json.loads(line)


# --- the clients --------------------------------------------------------------------------------------


def _connect(port: int, ca: str) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, local_hostname="laptop.example.org", timeout=30)
    client.starttls(context=ssl.create_default_context(cafile=ca))
    client.login(USER, PASSWORD)
    return client


def client_worker(port: int, ca: str, count: int, reuse: bool, barrier, out) -> None:
    payloads = [message(i) for i in range(count)]
    client = _connect(port, ca) if reuse else None
    if client is not None:
        client.sendmail(USER, [RCPT], message(-1))  # warm up
    barrier.wait()
    start = time.monotonic()
    for payload in payloads:
        if reuse:
            client.sendmail(USER, [RCPT], payload)
        else:
            with _connect(port, ca) as fresh:
                fresh.sendmail(USER, [RCPT], payload)
    end = time.monotonic()
    if client is not None:
        client.quit()
    out.put((start, end, count))


def measure(port: int, ca: str, processes: int, per_process: int, reuse: bool) -> float:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    out = ctx.Queue()
    workers = [ctx.Process(target=client_worker, args=(port, ca, per_process, reuse, barrier, out))
               for _ in range(processes)]
    for w in workers:
        w.start()
    results = [out.get(timeout=600) for _ in workers]
    for w in workers:
        w.join()
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    return sum(r[2] for r in results) / (end - start)


def server_cpu(pid: int) -> float:
    """The CPU seconds (user + system) process ``pid`` has used so far (Linux: /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_with_cpu(pid: int, port: int, ca: str, processes: int, per_process: int,
                     reuse: bool) -> tuple[float, float]:
    """(messages/s, server CPU seconds per message) for one cell."""
    before = server_cpu(pid)
    rate = measure(port, ca, processes, per_process, reuse)
    return rate, (server_cpu(pid) - before) / (processes * per_process)


# --- what ours does that aiosmtpd does not, measured apart ------------------------------------------


def feature_costs(count: int) -> tuple[float, float]:
    """CPU seconds per message (this process, ``time.process_time``) of two things only ours does:
    the DKIM signature, and narrating a message's lines into a live trace.

    Measured with the same functions the live MSA calls, on the bench's own messages, outside the
    server: nothing in the product is switched off to take them.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from simulator.delivery.authentication.dkimcheck import DKIMKey, sign
    from simulator.live.trace import LiveTrace
    from simulator.trace.events import Direction, Kind, Trace
    from simulator.trace.narrate.smtp import SMTPNarrator

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    key = DKIMKey("example.org", "bench", pem)
    received = (b"Received: from laptop.example.org (laptop.example.org [127.0.0.1])\r\n\tby " + HOSTNAME.encode()
                + b" with ESMTPSA id 4Q1bench; Sat, 28 Nov 2026 09:00:00 +0000\r\n")
    messages = [received + message(i) for i in range(count)]
    sign(messages[0], key, 1_795_000_000)  # warm up (the key is parsed once, as in the server)
    start = time.process_time()
    for content in messages:
        sign(content, key, 1_795_000_000)
    dkim = (time.process_time() - start) / count

    trace = LiveTrace(Trace("bench", "bench", "", 1, (), ()))
    conn = trace.new_connection("mua", "msa", 587, Kind.SMTP)
    narrator = SMTPNarrator(submission=True)
    replies = (b"250 2.1.0 Ok\r\n", b"250 2.1.5 Ok\r\n", b"354 End data with <CR><LF>.<CR><LF>\r\n",
               b"250 2.0.0 Ok: queued as 4Q1bench\r\n")

    def narrate(i: int) -> None:  # one message on a reused connection, as smtplib sends it
        commands = (f"MAIL FROM:<{USER}> SIZE=1100\r\n".encode(), f"RCPT TO:<{RCPT}>\r\n".encode(), b"DATA\r\n",
                    message(i) + b"\r\n.\r\n")
        for sent, reply in zip(commands, replies):
            for src, dst, lines, way in (("mua", "msa", narrator.client(sent), Direction.CLIENT),
                                         ("msa", "mua", narrator.server(reply), Direction.SERVER)):
                for line in lines:
                    trace.emit(Kind.SMTP, src, dst, line.text, line.explain, port=587, dir=way, conn=conn,
                               rfc=line.rfc, content=line.content)

    narrate(-1)
    start = time.process_time()
    for i in range(count):
        narrate(i)
    return dkim, (time.process_time() - start) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small load, for a smoke run")
    parser.add_argument("--repeats", type=int, default=None, help="runs per cell; the median is shown")
    parser.add_argument("--serve", choices=("ours", "aiosmtpd", "aiosmtpd-same-work"), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cert", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "ours":
        return serve_ours(args.data_dir)
    if args.serve in ("aiosmtpd", "aiosmtpd-same-work"):
        return serve_aiosmtpd(args.data_dir, args.cert, args.key, same_work=args.serve == "aiosmtpd-same-work")

    scale = 0.1 if args.quick else 1.0
    repeats = args.repeats or (1 if args.quick else 3)
    cells = [  # (label, processes, messages per process, reuse)
        ("reused connection, 1 process", 1, int(2000 * scale), True),
        ("reused connection, 4 processes", 4, int(600 * scale), True),
        ("new connection each, 1 process", 1, int(300 * scale), False),
        ("new connection each, 4 processes", 4, int(100 * scale), False),
    ]
    with tempfile.TemporaryDirectory(prefix="smtpsim-bench-") as tmp:
        servers: list[subprocess.Popen] = []
        try:
            ours, ours_info = start_server("ours", Path(tmp) / "ours")
            servers.append(ours)
            targets = [(ours.pid, ours_info["port"])]
            for kind in ("aiosmtpd", "aiosmtpd-same-work"):
                proc, info = start_server(kind, Path(tmp) / kind, ours_info)
                servers.append(proc)
                targets.append((proc.pid, info["port"]))
            ca = ours_info["ca"]
            rows = []
            for label, processes, count, reuse in cells:
                runs: list[list[tuple[float, float]]] = [[] for _ in targets]
                for _ in range(repeats):  # interleaved, so drift hits all three alike
                    for server_runs, (pid, port) in zip(runs, targets):
                        server_runs.append(measure_with_cpu(pid, port, ca, processes, count, reuse))
                rows.append((label, [statistics.median(r for r, _ in server_runs) for server_runs in runs],
                             [statistics.median(c for _, c in server_runs) for server_runs in runs]))
        finally:
            for proc in servers:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
    print(f"smtpsim live MSA vs aiosmtpd (bare, and doing the same work): messages/s over loopback, 587 + STARTTLS + "
          f"AUTH PLAIN, ~1 KiB, median of {repeats}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"{'load':<34} {'smtpsim':>8} {'aiosmtpd':>8} {'same-wk':>8} {'ratio':>6}   server CPU ms/message: "
          f"{'smtpsim':>8} {'aiosmtpd':>8} {'same-wk':>8} {'ratio':>6} {'same-wk':>7}")
    for label, rates, cpus in rows:
        print(f"{label:<34} {rates[0]:>8.1f} {rates[1]:>8.1f} {rates[2]:>8.1f} {rates[0] / rates[1]:>6.2f}   "
              f"{'':>22} {cpus[0] * 1000:>8.3f} {cpus[1] * 1000:>8.3f} {cpus[2] * 1000:>8.3f} "
              f"{cpus[1] / cpus[0]:>6.2f} {cpus[2] / cpus[0]:>7.2f}")
    dkim, narration = feature_costs(int(1000 * scale))
    rates, cpus = rows[0][1], rows[0][2]
    print(f"of smtpsim's {cpus[0] * 1000:.3f} ms/message (reused connection, 1 process), measured apart: "
          f"DKIM signing {dkim * 1000:.3f}, narration into the live trace {narration * 1000:.3f}; "
          f"cpu-ratio without both {cpus[1] / (cpus[0] - dkim - narration):.2f}")
    print(f"ratio {rates[0] / rates[1]:.2f} cpu-ratio {cpus[1] / cpus[0]:.2f} same-work-cpu-ratio {cpus[2] / cpus[0]:.2f}")


if __name__ == "__main__":
    main()
