"""The main screen: the topology, transcript, explanation and event list of one trace."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.reactive import var
from textual.screen import ActiveBinding, Screen
from textual.timer import Timer
from textual.widgets import Static

from simulator.trace.chapters import Outline
from simulator.trace.events import Trace
from simulator.ui.messages import ActorClicked, JumpTo, LessonFinished
from simulator.ui.pending import PendingRun
from simulator.ui.player import Player
from simulator.ui.screens.classroom import ClassroomTools
from simulator.ui.screens.teaching import TeachingTools
from simulator.ui.tracemodel import TraceModel
from simulator.ui.widgets.banner import FaultBanner
from simulator.ui.widgets.eventlist import EventList
from simulator.ui.widgets.explanation import Explanation
from simulator.ui.widgets.keybar import KeyBar
from simulator.ui.widgets.lesson import LessonCard
from simulator.ui.widgets.notes import NotesPanel
from simulator.ui.widgets.statusbar import StatusBar
from simulator.ui.widgets.topology import Topology
from simulator.ui.widgets.transcript import Transcript

if TYPE_CHECKING:
    from simulator.quiz.predict import PredictScore
    from simulator.scenario.library import Lesson
    from simulator.scenario.model import Scenario

# Below this size the topology becomes a strip of names and the event list gets short.
COMPACT_WIDTH = 100
COMPACT_HEIGHT = 30
FOOTER_ROOMY = 130  # the footer spaces its keys out from this width
FOOTER_WITH_PALETTE = 96  # ... and shows the command palette key from this one
FOOTER_EVERY_KEY = 112  # below this the footer leaves out these keys (help and the palette keep them)
FOOTER_SPARE = frozenset({"first", "last", "faster", "slower", "toggle_content", "toggle_theme", "next_chapter",
                          "next_failure"})
# Below this the player cannot show a step readably: it says so, and what it needs.
MIN_WIDTH = 60
MIN_HEIGHT = 16

Loader = Callable[[str], Trace]
_STEP = Binding.Group("step", compact=True)
_SPEED = Binding.Group("speed", compact=True)
_ENDS = Binding.Group("ends", compact=True)


_froze_before = False


def _settle_garbage(collect: bool = True) -> None:
    """Once a trace is on screen, move it (and the app) out of the collector's way.

    The trace is read-only from here on; frozen objects are skipped by full
    collections, which otherwise take tens of milliseconds over a big trace.
    The first time there is nothing to collect yet (and start-up is when time
    counts most), nor after the empty trace a pending run replaces; later,
    unfreeze and collect first so the previous trace goes.
    """
    global _froze_before
    if _froze_before and collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    _froze_before = True


GC_QUIET = 0.5  # seconds without a step before the cycle collector runs again


class PlayerScreen(ClassroomTools, TeachingTools, Screen[None]):
    """Plays a finished trace: stepping moves an index, it never re-runs the engine."""

    # Short words; below FOOTER_EVERY_KEY columns the footer leaves out the FOOTER_SPARE keys so
    # that the rest fit at 80. Help (?) and the command palette (ctrl+p) list every key in full.
    BINDINGS = [
        Binding("space", "toggle_play", "play", key_display="space", tooltip="Play or pause the trace"),
        Binding("left,p", "previous", "back", key_display="←", group=_STEP, tooltip="Previous step (left, p)"),
        Binding("right,n", "next", "next", key_display="→", group=_STEP, tooltip="Next step (right, n)"),
        Binding("home", "first", "first", key_display="⇱", group=_ENDS, tooltip="First step (home)"),
        Binding("end", "last", "last", key_display="⇲", group=_ENDS, tooltip="Last step (end)"),
        Binding("minus", "slower", "slower", key_display="-", group=_SPEED, tooltip="Play slower"),
        Binding("plus,equals_sign", "faster", "faster", key_display="+", group=_SPEED, tooltip="Play faster"),
        Binding("right_square_bracket", "next_chapter", "chapter", key_display="]",
                tooltip="Next chapter: the next connection, DNS lookup, queue decision or delivery (])"),
        Binding("left_square_bracket", "previous_chapter", "previous chapter", key_display="[", show=False,
                tooltip="Back to the start of this chapter, or the one before ([)"),
        Binding("exclamation_mark", "next_failure", "failure", key_display="!",
                tooltip="Next failure: a 4xx/5xx reply, DNS error, TLS failure, timeout, refusal or bounce (!)"),
        Binding("at", "previous_failure", "previous failure", key_display="@", show=False,
                tooltip="Previous failure (@)"),
        Binding("k", "key_moment", "key moment", show=False, tooltip="The lesson's key moment (k)"),
        Binding("greater_than_sign", "skip_prelude", "skip submission", key_display=">", show=False,
                tooltip="Skip the submission every lesson starts with (>)"),
        Binding("l", "chapters", "chapters", show=False, tooltip="The list of chapters, to pick one (l)"),
        Binding("P", "toggle_presenter", "presenter", key_display="P", show=False,
                tooltip="Presenter layout for a projector: exchange and explanation large, no event list (P)"),
        Binding("i", "toggle_notes", "notes", show=False, tooltip="Instructor notes for the key moment (i)"),
        Binding("pagedown,shift+down", "explain_down", "scroll explanation", show=False,
                tooltip="Scroll the explanation down (page down, shift+down)"),
        Binding("pageup,shift+up", "explain_up", "scroll explanation up", show=False,
                tooltip="Scroll the explanation up (page up, shift+up)"),
        Binding("s", "scenarios", "scenarios", tooltip="Open another scenario"),
        Binding("f", "faults", "faults", tooltip="Instructor: switch faults on and off (the run starts again)"),
        Binding("v", "compare", "versus", tooltip="Compare this run with another, hop by hop"),
        Binding("x", "toggle_predict", "predict", tooltip="Predict mode: guess each next step before it shows"),
        Binding("escape", "hide_lesson", "hide lesson", show=False),
        Binding("c", "toggle_content", "fold", tooltip="Fold or unfold message content"),
        Binding("t", "toggle_theme", "theme", tooltip="Switch between dark and light"),
        Binding("w", "export_capture", "wireshark", show=False,
                tooltip="Write this lesson as a Wireshark capture, with its TLS key log"),
        Binding("question_mark", "help", "help", key_display="?", tooltip="All keys and the port table"),
        Binding("q", "quit", "quit", tooltip="Leave smtpsim"),
    ]
    # What the command palette offers: (title, help, action).
    COMMANDS_TABLE: tuple[tuple[str, str, str], ...] = (
        ("Play / pause", "Play the trace step by step, or pause it (space)", "toggle_play"),
        ("Next step", "Show the next step (right, n)", "next"),
        ("Previous step", "Show the previous step (left, p)", "previous"),
        ("First step", "Go to the first step (home)", "first"),
        ("Last step", "Go to the last step (end)", "last"),
        ("Faster", "Play faster, up to x8 (+)", "faster"),
        ("Slower", "Play slower, down to x0.25 (-)", "slower"),
        ("Next chapter", "The next connection, DNS lookup, queue decision, delivery or bounce (])", "next_chapter"),
        ("Previous chapter", "The start of this chapter, or the one before ([)", "previous_chapter"),
        ("Next failure", "The next 4xx/5xx reply, DNS error, TLS failure, timeout, refusal or bounce (!)",
         "next_failure"),
        ("Previous failure", "The failure before this step (@)", "previous_failure"),
        ("Key moment", "The step the lesson is about (k)", "key_moment"),
        ("Skip the submission", "Past the submission every lesson starts with (>)", "skip_prelude"),
        ("Chapters", "The list of chapters, to pick one (l)", "chapters"),
        ("Presenter layout", "For a projector: exchange and explanation large, no event list (P)", "toggle_presenter"),
        ("Instructor notes", "The key moment's questions for the class (i)", "toggle_notes"),
        ("Fold / unfold content", "Show or hide the message content in the transcript (c)", "toggle_content"),
        ("Scenarios", "Open another scenario (s)", "scenarios"),
        ("Faults (instructor)", "Switch faults on and off; the run starts again at the same moment (f)", "faults"),
        ("Compare runs (versus)", "This run and another side by side, hop by hop (v)", "compare"),
        ("Predict mode", "Guess the next reply code, command, port or MX before each step (x)", "toggle_predict"),
        ("Toggle dark / light", "Switch the theme (t)", "toggle_theme"),
        ("Export for Wireshark", "Write this lesson's packet capture and TLS key log here (w)", "export_capture"),
        ("Help", "All keys and the port table (?)", "help"),
    )

    AUTO_FOCUS = "#events"  # (not the lesson card's scroller, which would take it first and hand it on)

    # var, not reactive: the watchers update the widgets that change; repainting
    # the whole screen on every step would cost more than the step itself.
    index: var[int] = var(0, init=False)
    playing: var[bool] = var(False, init=False)
    speed: var[float] = var(1.0, init=False)
    faults: var[tuple[str, ...]] = var((), init=False)  # the instructor's toggles on; setting one re-runs
    predicting: var[bool] = var(False, init=False)

    def __init__(self, trace: Trace | PendingRun, loader: Loader | None = None, *, scenario: Scenario | None = None,
                 faults: tuple[str, ...] = (), seed: int | None = None, start: int = 0,
                 presenter: bool = False, pick: bool = False) -> None:
        super().__init__()
        # A pending run: the first frame shows "Running scenario ..."; the trace follows (see _start_run).
        self.pending = trace if isinstance(trace, PendingRun) else None
        if isinstance(trace, PendingRun):
            trace = trace.placeholder()
        self._run_id = 0  # bumped by every load_trace: a run that finishes after another trace came is dropped
        self.trace = trace
        self.model = TraceModel(trace)
        self.outline = Outline(trace)
        self._start_at = start  # the step to open on (``play --at``)
        self._presenter_at_start = presenter
        self._pick_at_start = pick  # ``play --pick``: the lesson picker over this trace (``smtpsim serve``)
        self.player = Player(len(trace.events))
        self.loader = loader
        self.scenario = scenario  # the base scenario, without faults (None: looked up by name when needed)
        self.seed = seed
        self.set_reactive(PlayerScreen.faults, tuple(faults))
        self.score: PredictScore | None = None  # predict mode's, from the first time it is on
        self._every_key = True  # the footer shows every key (worked out from the width in compose)
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        # Sized from the start, so the first frame is not laid out twice.
        width, height = self.app.size
        self.set_class(width < COMPACT_WIDTH or height < COMPACT_HEIGHT, "-compact")
        self.set_class(self._presenter_at_start, "-presenter")
        self._every_key = width >= FOOTER_EVERY_KEY
        yield StatusBar(id="status")
        yield FaultBanner(id="banner")
        yield Topology(id="topology")
        with Horizontal(id="middle"):
            yield Transcript(id="transcript")
            yield Explanation(id="explanation")
            yield NotesPanel(id="notes")
            yield LessonCard(id="lesson")
        yield EventList(id="events")
        yield KeyBar(compact=width < FOOTER_ROOMY, show_command_palette=width >= FOOTER_WITH_PALETTE)
        yield Static(too_small_text(width, height), id="too-small")
        self.set_class(too_small(width, height), "-too-small")

    def on_mount(self) -> None:
        # Looked up once: a step must not search the DOM six times.
        self.status = self.query_one(StatusBar)
        self.topology = self.query_one(Topology)
        self.transcript = self.query_one(Transcript)
        self.explanation = self.query_one(Explanation)
        self.event_list = self.query_one(EventList)
        self.banner = self.query_one(FaultBanner)
        self.lesson = self.query_one(LessonCard)
        self.notes = self.query_one(NotesPanel)
        self.notes.border_title = "Instructor notes (i hides)"
        self.transcript.border_title = "Transcript"
        self.explanation.border_title = "What's happening"
        # Stepping pauses the automatic cycle collector (a full pass can take longer than a
        # frame); each step collects the young generations itself (_pause_gc), and the
        # collector runs again once the player has been still for a moment.
        self._gc_timer = self.set_interval(GC_QUIET, self._resume_gc, pause=True, name="resume gc")
        self.player.jump(self._start_at)
        self.set_reactive(PlayerScreen.index, self.player.index)
        self._load_widgets()
        if self.pending is not None:
            self.explanation.empty_text = self.pending.loading_text
            self.status.update_state(title=self.pending.loading_text)
            self.call_after_refresh(self._start_run)  # after the first frame (set_timer(0) hangs in Textual 8.2)
        else:
            self._show_faults()
        if self._presenter_at_start:
            self.set_presenter(True)
        else:
            self.event_list.focus()
        if self._pick_at_start:
            # On this lesson itself, not the next: nothing has been played yet.
            self.call_after_refresh(self.open_picker, self.trace.scenario)

    def _pause_gc(self, collect: bool = True) -> None:
        # The young generations only (a fraction of a millisecond): Textual's strips keep
        # themselves in their own caches, so a step's discarded frame is cyclic garbage; left
        # for the quiet timer, thousands of steps of it made one pass of tens of milliseconds
        # to seconds, inside whichever step the timer happened to fire in (issue 17).
        if collect:  # (not when a trace loads: _settle_garbage sees to that, after its frame)
            gc.collect(1)
        gc.disable()
        self._gc_timer.reset()
        self._gc_timer.resume()

    def _resume_gc(self) -> None:
        self._gc_timer.pause()
        gc.enable()

    def on_unmount(self) -> None:
        gc.enable()

    def on_resize(self, event: Resize) -> None:
        width, height = event.size
        self.set_class(width < COMPACT_WIDTH or height < COMPACT_HEIGHT, "-compact")
        if too_small(width, height) or self.has_class("-too-small"):
            self.query_one("#too-small", Static).update(too_small_text(width, height))
            self.set_class(too_small(width, height), "-too-small")
        # The palette key goes first when space is short: help (?) names ctrl+p too.
        self.query_one(KeyBar).set_layout(compact=width < FOOTER_ROOMY,
                                          show_command_palette=width >= FOOTER_WITH_PALETTE)
        if (width >= FOOTER_EVERY_KEY) != self._every_key:
            self._every_key = width >= FOOTER_EVERY_KEY
            self.refresh_bindings()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """As Textual works them out, but on a narrow screen the footer leaves out the spare keys."""
        bindings = super().active_bindings
        if self._every_key:
            return bindings
        return {key: active._replace(binding=replace(active.binding, show=False))
                if active.binding.action in FOOTER_SPARE else active for key, active in bindings.items()}

    # -- a trace -------------------------------------------------------------------------
    def _start_run(self) -> None:
        pending, run_id = self.pending, self._run_id
        if pending is None:
            return

        def run() -> None:  # on the worker's thread: the engine only, never a widget
            try:
                trace = pending.run()
            except Exception as exc:  # a run that fails must not kill the player; it says why
                self.app.call_from_thread(self._run_failed, run_id, f"{exc}")
                return
            self.app.call_from_thread(self._ran, run_id, trace)

        self.run_worker(run, name="run scenario", group="run", thread=True, exit_on_error=False)

    def _ran(self, run_id: int, trace: Trace) -> None:
        if run_id != self._run_id:
            return
        self.load_trace(trace, self._start_at, collect=False)  # only the empty placeholder goes
        self._show_faults()

    def _run_failed(self, run_id: int, message: str) -> None:
        if run_id != self._run_id:
            return
        self.pending = None
        self.explanation.empty_text = f"The scenario could not run: {message}"
        self.status.update_state(title=self.trace.title)
        self.explanation.show(0)
        self.notify(message, title="The scenario could not run", severity="error")

    def load_trace(self, trace: Trace, index: int = 0, *, collect: bool = True) -> None:
        """Swap in another trace (from the picker, or a re-run with faults) and stand at ``index``.

        ``collect``: run the cycle collector once it is on screen, so that the previous trace goes.
        """
        self._run_id += 1
        self.pending = None
        self.explanation.empty_text = Explanation.empty_text  # not the loading or failure text any more
        self.trace = trace
        self.model = TraceModel(trace)
        self.outline = Outline(trace)
        self.player.load(len(trace.events))
        self.player.jump(index)
        self.set_reactive(PlayerScreen.index, self.player.index)
        if self.score is not None:
            self.score.forget_steps()
        self.playing = False
        self._load_widgets(collect)

    def _load_widgets(self, collect: bool = True) -> None:
        self.topology.set_trace(self.model)
        self.transcript.set_trace(self.model)
        self.explanation.set_trace(self.model)
        self.event_list.set_trace(self.model)
        self.status.update_state(title=self.trace.title, total=len(self.trace.events),
                                 playing=self.player.playing, speed=self.player.speed)
        self._show(self.player.index, animate=False, collect=False)
        self.call_after_refresh(_settle_garbage, collect)

    def _show(self, index: int, *, animate: bool, collect: bool = True) -> None:
        self._pause_gc(collect)
        if not self.trace.events:
            self.status.update_state(step=0, t=0.0)
            return
        self.topology.show(index, animate=animate)
        self.transcript.show(index)
        answered = self.score.answers.get(index) if self.score is not None else None
        if answered is None:
            self.explanation.show(index)
        else:
            from simulator.ui.screens.predict import verdict

            prediction, choice = answered
            self.explanation.show(index, verdict(prediction, choice), prediction.is_right(choice))
        self.event_list.show(index)
        at_end = index == len(self.trace.events) - 1
        if at_end and self.loader is not None:
            self.post_message(LessonFinished(self.trace))  # the app records the lesson as done (once)
        after = self.next_lesson() if at_end else None
        self.lesson.follow(self.trace, index, self.faults, next_title=after.title if after else "",
                           can_pick=self.loader is not None)
        self.event_list.border_title = f"Events  {index + 1}/{len(self.trace.events)}"
        self.notes.show(self.outline, index)
        self.status.update_state(step=index + 1, t=self.trace.events[index].t, chapter=self.chapter_label(index))

    # -- reactive state mirrors the player --------------------------------------------------
    def _sync(self) -> None:
        self.index = self.player.index
        self.playing = self.player.playing
        self.speed = self.player.speed

    def watch_index(self, old: int, new: int) -> None:
        # The envelope runs only when stepping forward; jumps and steps back land at once.
        self._show(new, animate=new == old + 1)

    def watch_playing(self, playing: bool) -> None:
        self._restart_timer()
        self.status.update_state(playing=playing)

    def watch_speed(self, speed: float) -> None:
        self._restart_timer()
        self.status.update_state(speed=speed)

    def _restart_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.player.playing:
            self._timer = self.set_interval(self.player.tick_seconds, self._tick, name="player tick")

    def _tick(self) -> None:
        if self.predicting and self._ask(self.player.index + 1):
            self.player.pause()
        else:
            self.player.tick()
        self._sync()

    # -- actions ----------------------------------------------------------------------------
    def action_toggle_play(self) -> None:
        self.player.toggle()
        self._sync()

    def action_next(self) -> None:
        if self.predicting and self._ask(self.player.index + 1):
            return
        self.player.next()
        self._sync()

    def action_previous(self) -> None:
        self.player.back()
        self._sync()

    def action_first(self) -> None:
        self.player.first()
        self._sync()

    def action_last(self) -> None:
        self.player.last()
        self._sync()

    def action_faster(self) -> None:
        self.player.faster()
        self._sync()

    def action_slower(self) -> None:
        self.player.slower()
        self._sync()

    def action_toggle_content(self) -> None:
        self.transcript.set_unfolded(not self.transcript.unfolded)

    def action_toggle_theme(self) -> None:
        self.app.theme = "textual-light" if self.app.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        from simulator.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_scenarios(self) -> None:
        # It opens on the next lesson: what the debrief's "s: next lesson" promises.
        after = self.next_lesson()
        self.open_picker(after.name if after else "")

    def open_picker(self, start: str) -> None:
        """The lesson picker, ``start`` highlighted ("": the first lesson)."""
        from simulator.ui.screens.picker import PickerScreen
        from simulator.ui.screens.progress_link import ProgressRecording

        if self.loader is None:
            self.notify("No scenario library in this run.", severity="warning")
            return
        self.player.pause()
        self._sync()
        done = self.app.lessons_done() if isinstance(self.app, ProgressRecording) else frozenset()
        picker = PickerScreen(self.loader, current=self.trace.scenario, start=start, done=done)
        self.app.push_screen(picker, self._picked)

    def next_lesson(self) -> Lesson | None:
        """The lesson after the open scenario on the lesson path (None without a library, or after the last)."""
        if self.loader is None:
            return None
        from simulator.scenario.library import next_lesson

        return next_lesson(self.trace.scenario)

    def _picked(self, trace: Trace | None) -> None:
        if trace is not None:
            self.scenario = None  # looked up by name if the fault panel needs it
            self.set_reactive(PlayerScreen.faults, ())
            self.load_trace(trace)
            self._show_faults()

    def action_export_capture(self) -> None:
        """This lesson as a capture and its key log, in the current directory; the notice says where."""
        from simulator.capture import CaptureError, export_lesson

        try:
            done = export_lesson(self.trace)
        except CaptureError as exc:
            self.notify(str(exc), title="No capture written", severity="error")
            return
        self.notify(f"{done.pcap}\nTLS key log: {done.keylog}", title="Open in Wireshark", timeout=12)

    def action_quit(self) -> None:
        self.app.exit(0)

    def jump(self, index: int) -> None:
        """Show step ``index`` (clamped to the trace)."""
        self.player.jump(index)
        self._sync()

    # -- messages from the widgets ------------------------------------------------------------
    def on_jump_to(self, message: JumpTo) -> None:
        self.jump(message.index)

    def on_actor_clicked(self, message: ActorClicked) -> None:
        step = self.model.next_step_of(message.actor_id, self.player.index)
        if step is not None:
            self.jump(step)


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


def too_small_text(width: int, height: int) -> str:
    return (f"This terminal is {width}x{height}: the player needs at least {MIN_WIDTH}x{MIN_HEIGHT}.\n\n"
            "Make the window larger or the font smaller (80x24 is best for a projector: P, presenter layout).\n\n"
            "q quits.")
