"""Coverage-guided fuzzing of one parser with atheris (libFuzzer), for as long as you give it.

    .venv/bin/pip install -e ".[fuzz]"     # atheris: a wheel for CPython 3.11 on Linux x86-64
    .venv/bin/python tests/fuzz/run_atheris.py smtp-server -max_total_time=300
    .venv/bin/python tests/fuzz/run_atheris.py all -max_total_time=120     # each target in turn

Targets: smtp-server, imap-server, pop3-server, smtp-client, imap-client, pop3-client,
smtp-words (MAIL/RCPT paths and parameters, AUTH payloads), dns-query, narrators. The run
starts from the real-session seeds (``_fuzz_seeds.py``), written to ``.fuzz/corpus/TARGET``,
where atheris also keeps what it finds. Any other libFuzzer option works (``-max_len=65536``,
``-timeout=5`` for a hang, ``-rss_limit_mb=512`` for memory). A crash is saved as
``crash-...`` in the current directory: feed it to the target in a regression test in
``tests/fuzz/`` (it fails), then fix the parser.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main(argv: list[str]) -> int:
    from _fuzz_targets import TARGETS

    if len(argv) < 2 or argv[1] not in (*TARGETS, "all"):
        print(f"usage: run_atheris.py TARGET|all [libFuzzer options]; targets: {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    name, options = argv[1], argv[2:]
    if name == "all":  # one process per target: libFuzzer runs one target per process
        return max(subprocess.call([sys.executable, __file__, target, *options]) for target in TARGETS)
    try:
        import atheris
    except ImportError:
        print("run_atheris.py: atheris is not installed (.venv/bin/pip install atheris)", file=sys.stderr)
        return 2
    from _fuzz_seeds import seeds

    corpus = HERE.parents[1] / ".fuzz" / "corpus" / name
    corpus.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(seeds(name)):
        (corpus / f"seed-{i:04d}").write_bytes(data)
    target = TARGETS[name]
    target(b"")  # import lazily loaded modules (DNS, narrators) before instrumenting them
    atheris.instrument_all()
    print(f"run_atheris.py: {name}, corpus {corpus}", file=sys.stderr)
    atheris.Setup([argv[0], *options, str(corpus)], target)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
