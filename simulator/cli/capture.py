"""``smtpsim run S --pcap FILE [--keylog FILE]``: the run as a packet capture for Wireshark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.trace.events import Trace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pcap", type=Path, default=None, metavar="FILE",
                        help="also write the run as a packet capture for Wireshark (pcapng if FILE ends in .pcapng)")
    parser.add_argument("--keylog", type=Path, default=None, metavar="FILE",
                        help="with --pcap: also write the TLS key log (SSLKEYLOGFILE format) that decrypts it")


def check(args: argparse.Namespace) -> str | None:
    """What is wrong with the capture options, before the run starts (None: nothing)."""
    if args.keylog is not None and args.pcap is None:
        return "--keylog needs --pcap FILE: the key log decrypts a capture"
    if args.pcap is None:
        return None
    from simulator.capture import CaptureError, check_paths

    try:
        check_paths(args.pcap, args.keylog)
    except CaptureError as exc:
        return str(exc)
    return None


def write(args: argparse.Namespace, trace: Trace) -> str | None:
    """Write the capture (and key log); None when done, else what went wrong. Reports on stderr,
    so that ``--json`` output stays JSON only."""
    if args.pcap is None:
        return None
    from simulator.capture import CaptureError, write_capture

    try:
        summary = write_capture(trace, args.pcap, keylog=args.keylog)
    except CaptureError as exc:
        return str(exc)
    keys = f"; TLS key log in {summary.keylog}" if summary.keylog else ""
    conns = f"{summary.connections} connection{'s' if summary.connections != 1 else ''}"
    print(f"smtpsim: wrote {summary.packets} packets of {conns} to {summary.pcap}{keys}", file=sys.stderr)
    return None
