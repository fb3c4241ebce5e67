"""A cache of finished traces, so a front end can show a run without running it again.

A run is a pure function of the scenario, the seed and the simulator's code,
so its trace can be kept on disk under a key made of exactly those: the
scenario's content (every field of the loaded scenario, faults included, not
its file name), the seed, smtpsim's version and a stamp of its source files
(so a changed checkout does not read an old run). Entries live in the user's
cache directory (``$XDG_CACHE_HOME/smtpsim/traces``, else
``~/.cache/smtpsim/traces``), one JSON file each, written atomically.

Reading never fails: a missing, truncated, corrupt or foreign file is a miss
(and is removed), and a cache directory that cannot be written only means the
trace is not kept. Nothing here runs anything (the trace package may not):
``simulator.run.cached_run`` looks up, and runs the scenario only on a miss.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator import __version__
from simulator.paths import user_cache_dir
from simulator.trace.events import ActorInfo, ConnectionInfo, Direction, Kind, TLSMode, Trace, TraceEvent

if TYPE_CHECKING:
    from simulator.scenario.model import Scenario

FORMAT = 1  # bump when the file layout changes: older files become misses
_PACKAGE = Path(__file__).resolve().parents[1]


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/smtpsim/traces``, or ``~/.cache/smtpsim/traces`` (XDG: an absolute path only)."""
    return user_cache_dir() / "traces"


def code_stamp() -> str:
    """smtpsim's version and a stamp of its source files (count, newest change, total size)."""
    count = newest = size = 0
    for path in _PACKAGE.rglob("*.py"):
        try:
            info = path.stat()
        except OSError:
            continue
        count += 1
        newest = max(newest, info.st_mtime_ns)
        size += info.st_size
    return f"{__version__}:{count}:{newest}:{size}"


def trace_key(scenario: Scenario, seed: int | None = None) -> str:
    """The cache key of the run of ``scenario`` with ``seed`` (None: the scenario's own) by this code."""
    # Where the file was read from does not change the run (its name, which the trace shows, does).
    content = json.dumps(_canonical(dataclasses.replace(scenario, source="")), sort_keys=True, separators=(",", ":"))
    used_seed = scenario.seed if seed is None else seed
    digest = hashlib.sha256(f"{FORMAT}\n{code_stamp()}\n{used_seed}\n{content}".encode())
    return digest.hexdigest()


def load(key: str, directory: Path | None = None) -> Trace | None:
    """The trace stored under ``key``, or None (a miss; a damaged file is removed)."""
    path = (directory or cache_dir()) / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("key") != key:
            raise ValueError("another format or key")
        return _trace_from(data["trace"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        try:
            path.unlink()
        except OSError:
            pass
        return None


def store(key: str, trace: Trace, directory: Path | None = None) -> bool:
    """Keep ``trace`` under ``key``; False when the cache cannot be written (nothing else happens)."""
    folder = directory or cache_dir()
    text = json.dumps({"format": FORMAT, "key": key, "trace": _trace_to(trace)}, ensure_ascii=False)
    import tempfile  # only a miss writes

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, folder / f"{key}.json")  # readers see the old file or the whole new one
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        return False
    return True


def _canonical(value: Any) -> Any:
    """A JSON-able form of a loaded scenario that does not depend on hash order or object identity."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, {f.name: _canonical(getattr(value, f.name))
                                       for f in dataclasses.fields(value)}]
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return ["bytes", base64.b64encode(value).decode("ascii")]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot key a scenario holding {type(value).__name__}")


def _trace_to(trace: Trace) -> dict[str, Any]:
    events = []
    for event in trace.events:
        item = event.to_json()
        if event.wire is not None:
            item["wire"] = base64.b64encode(event.wire).decode("ascii")
        events.append(item)
    return {
        "scenario": trace.scenario, "title": trace.title, "summary": trace.summary, "seed": trace.seed,
        "actors": [dataclasses.asdict(a) for a in trace.actors],
        "connections": [[c.id, c.client, c.server, c.port, c.protocol.value, c.tls.value] for c in trace.connections],
        "goals": list(trace.goals), "debrief": trace.debrief, "extra": trace.extra, "events": events,
    }


def _trace_from(data: dict[str, Any]) -> Trace:
    strings: dict[str, str] = {}  # as the recorder does: one copy of each repeated text
    events = []
    for item in data["events"]:
        wire = item.get("wire")
        events.append(TraceEvent(
            int(item["step"]), float(item["t"]), Kind(item["kind"]), item["src"], item["dst"],
            strings.setdefault(item["text"], item["text"]), strings.setdefault(item["explain"], item["explain"]),
            item["port"], TLSMode(item["tls"]), Direction(item["dir"]) if item["dir"] is not None else None,
            item["conn"], item["rfc"], bool(item["content"]),
            base64.b64decode(wire, validate=True) if wire is not None else None,
        ))
    return Trace(
        scenario=str(data["scenario"]), title=str(data["title"]), summary=str(data["summary"]), seed=int(data["seed"]),
        actors=tuple(ActorInfo(a["id"], a["role"], a["hostname"], a["ip"], tuple(a["ports"]), a["label"])
                     for a in data["actors"]),
        events=tuple(events),
        connections=tuple(ConnectionInfo(int(i), c, s, int(p), Kind(k), TLSMode(t))
                          for i, c, s, p, k, t in data["connections"]),
        goals=tuple(data["goals"]), debrief=str(data["debrief"]), extra=dict(data["extra"]),
    )
