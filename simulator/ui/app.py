"""The smtpsim player app, and ``run_app``, which the CLI calls."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.screen import Screen

from simulator.paths import assets_dir
from simulator.trace.events import Trace
from simulator.ui.messages import FaultsChanged
from simulator.ui.pending import PendingRun
from simulator.ui.screens.progress_link import ProgressRecording
from simulator.ui.screens.player import Loader, PlayerScreen

if TYPE_CHECKING:
    from simulator.live.trace import LiveTrace
    from simulator.scenario.model import Scenario

STYLESHEET = assets_dir() / "styles" / "smtpsim.tcss"


def open_trace(name: str) -> Trace:
    """The library's scenario ``name``, run once through the engine."""
    from simulator.run import run_scenario
    from simulator.scenario.library import open_scenario

    return run_scenario(open_scenario(name))


class SmtpsimApp(ProgressRecording, App[int]):
    """Opens on the player for ``trace`` (or a :class:`PendingRun`: "Running scenario ..." first, then its
    trace); ``loader`` opens others from the picker.

    ``scenario`` is the scenario ``trace`` was run from, without faults, and
    ``faults`` the instructor's toggles that were on (``play --fault``); the
    fault panel re-runs it with ``seed``. ``recorder`` (set by ``run_app``)
    remembers the lessons finished and predict mode's answers.
    """

    TITLE = "smtpsim"
    CSS_PATH = str(STYLESHEET)
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, trace: Trace | PendingRun, loader: Loader | None = open_trace, *,
                 scenario: "Scenario | None" = None, faults: tuple[str, ...] = (), seed: int | None = None,
                 start: int = 0, presenter: bool = False, pick: bool = False) -> None:
        super().__init__()
        self._trace = trace
        self._loader = loader
        self._start: dict[str, Any] = {"scenario": scenario, "faults": tuple(faults), "seed": seed, "start": start,
                                       "presenter": presenter, "pick": pick}
        self.theme = "textual-dark"

    def on_mount(self) -> None:
        self.push_screen(self.player_screen())

    def player_screen(self) -> PlayerScreen:
        return PlayerScreen(self._trace, self._loader, **self._start)

    def on_faults_changed(self, message: FaultsChanged) -> None:
        """From the fault panel (a screen of its own): the player re-runs with these faults."""
        self.player.set_faults(message.names)

    @property
    def player(self) -> PlayerScreen:
        """The player screen (under any modal)."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, PlayerScreen):
                return screen
        raise LookupError("no player screen")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, PlayerScreen):
            for title, help_text, action in PlayerScreen.COMMANDS_TABLE:
                yield SystemCommand(title, help_text, getattr(screen, f"action_{action}"))


def build_app(scenario: "Scenario", seed: int | None, faults: Iterable[str] = (), *,
              at: str | int | None = None, presenter: bool = False, pick: bool = False) -> SmtpsimApp:
    """The app on ``scenario`` run once with the named fault toggles on (ScenarioError if one does not fit).

    ``at`` is ``play --at``: "failure", "key" or a step number from 1 (StartError if the trace has none such);
    the run is done first, so a step that does not exist is refused before the screen changes. Without it
    the app opens at once on "Running scenario ..." and the run (from the trace cache when it ran before)
    follows on a worker. ``pick`` (``play --pick``) opens the lesson picker over it.
    """
    names = tuple(faults)
    run = partial(_run, scenario, names, seed)
    if at is None:
        return SmtpsimApp(PendingRun(scenario.name, scenario.title, run), scenario=scenario, faults=names, seed=seed,
                          presenter=presenter, pick=pick)
    from simulator.trace.chapters import Outline, start_step

    trace = run()
    start = start_step(Outline(trace), at)
    return SmtpsimApp(trace, scenario=scenario, faults=names, seed=seed, start=start, presenter=presenter, pick=pick)


def _run(scenario: "Scenario", faults: tuple[str, ...], seed: int | None) -> Trace:
    from simulator.run import cached_run

    if faults:
        from simulator.scenario.toggles import with_toggles

        scenario = with_toggles(scenario, list(faults))
    return cached_run(scenario, seed)


def run_app(scenario: "Scenario", seed: int | None, faults: Iterable[str] = (), profile: str | None = None, *,
            at: str | int | None = None, presenter: bool = False, pick: bool = False) -> int:
    """Play ``scenario`` run once with ``faults`` on (see :func:`build_app`: the run follows the first frame
    unless ``at`` is given). Exit code for the CLI.

    Lessons finished and predictions are recorded in ``profile``'s progress record.
    """
    from simulator.progress.recorder import Recorder
    from simulator.scenario import ScenarioError
    from simulator.trace.chapters import StartError

    try:
        app = build_app(scenario, seed, faults, at=at, presenter=presenter, pick=pick)
    except (ScenarioError, StartError) as exc:
        print(f"smtpsim: {exc}", file=sys.stderr)
        return 2
    app.recorder = Recorder(profile=profile)  # opened on the first thing to record
    try:
        result = app.run()
    finally:
        app.recorder.close()
    return result if isinstance(result, int) else (app.return_code or 0)


LIVE_REFRESH = 0.25  # seconds between folding new live events into the player


class LiveApp(SmtpsimApp):
    """Plays a live trace that keeps growing as real clients talk to the servers.

    The live servers run on another thread and call subscribers there; the
    subscriber here only raises a flag, and a timer on the app's own thread
    takes a snapshot and loads it. The player follows the newest step unless
    the student has stepped back to look at something.
    """

    def __init__(self, live: LiveTrace, info: str = "") -> None:
        super().__init__(_live_view(live), loader=None)
        self._live = live
        self._info = info  # the ports, accounts and CA certificate, as plain `smtpsim live` prints them
        self._fresh = False
        self._unsubscribe = live.subscribe(self._on_live_event)

    def player_screen(self) -> PlayerScreen:
        from simulator.ui.screens.live import LivePlayerScreen

        assert isinstance(self._trace, Trace)  # live mode starts from a snapshot, never a pending run
        return LivePlayerScreen(self._trace, self._info)

    def _on_live_event(self, _event: object) -> None:
        self._fresh = True  # the live thread; a plain flag is all it touches

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(LIVE_REFRESH, self.fold_in_new_events, name="live trace")

    def fold_in_new_events(self) -> None:
        if not self._fresh:
            return
        self._fresh = False
        player = self.player
        following = player.player.index >= len(player.trace.events) - 1
        snapshot = _live_view(self._live)
        index = len(snapshot.events) - 1 if following else player.player.index
        player.load_trace(snapshot, index=max(index, 0))

    def on_unmount(self) -> None:
        self._unsubscribe()


def _live_view(live: LiveTrace) -> Trace:
    # The scenario's goals and debrief tell its scripted story, not the sessions
    # real clients are having now: no lesson card in live mode.
    return dataclasses.replace(live.snapshot(), goals=(), debrief="")


def run_live_app(live: LiveTrace, info: str = "") -> int:
    """``smtpsim live --ui``: the player following live sessions as they happen, ``info`` on its first card."""
    result = LiveApp(live, info).run()
    return result if isinstance(result, int) else 0
