"""The cyclic garbage collector while ``smtpsim`` starts and as it exits (the console script only).

Starting ``smtpsim run`` imports about 300 modules: their functions, classes and tables are some
hundred thousand objects, all alive until the process ends. With the collector on, it walks them
again and again while they are being made (a full collection each time the long-lived objects
grow by a quarter), and the interpreter's exit walks everything once more; none of it frees
anything here. So ``entry`` (the console script) turns the collector off while the process
starts; when the command begins its work, ``started`` moves everything made so far to the
permanent generation (``gc.freeze``), where no collection looks again, and turns the collector
back on: what the command itself makes is collected as usual. At exit everything is frozen too:
the process's end frees the memory, and Python does not promise to run the finalizers of objects
still there at exit anyway (the language reference, ``object.__del__``).

bench/cli.py measures the effect (docs/benchmarks.md); a command run by ``main()`` in-process
(tests, the UI's own calls) is not affected.
"""

from __future__ import annotations

import gc

_starting = False


def starting() -> None:
    """The process starts: no collection until ``started``."""
    global _starting
    _starting = True
    gc.disable()


def started() -> None:
    """The command begins its work: the collector is on again, for what is made from now on."""
    global _starting
    if _starting:
        _starting = False
        gc.freeze()
        gc.enable()


def exiting() -> None:
    """The command is done: the interpreter's last collections would only walk what the exit frees."""
    started()
    gc.freeze()
