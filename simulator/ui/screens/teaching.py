"""The player's side of the teaching tools: faults (``f``), compare (``v``), predict (``x``), lessons.

A mixin of :class:`~simulator.ui.screens.player.PlayerScreen`, which declares
the keys and the reactive ``faults`` and ``predicting``; each tool's own
screen lives in its own module (faults.py, compare.py, predict.py) and this
is where their answers come back to the player.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from simulator.ui.compare import run_label
from simulator.ui.player import same_moment

if TYPE_CHECKING:
    from simulator.quiz.predict import Prediction, PredictScore
    from simulator.scenario.model import Scenario
    from simulator.trace.events import Trace
    from simulator.ui.widgets.banner import FaultBanner
    from simulator.ui.widgets.lesson import LessonCard
    from simulator.ui.widgets.statusbar import StatusBar
    from textual.reactive import var

    # Always mixed into PlayerScreen, which itself inherits from this class: to the checker the
    # base is open (Any); the attributes this mixin reads are declared below.
    _Base = Any
else:
    _Base = object


class TeachingTools(_Base):
    """Faults re-run the engine; compare and predict push their screens; esc puts the lesson card away."""

    # Set by PlayerScreen.
    trace: Trace
    scenario: Scenario | None
    seed: int | None
    score: PredictScore | None
    status: StatusBar
    banner: FaultBanner
    lesson: LessonCard
    if TYPE_CHECKING:  # PlayerScreen's reactives, as it declares them
        faults: var[tuple[str, ...]]
        predicting: var[bool]

    # -- faults ------------------------------------------------------------------------------------
    def base_scenario(self) -> Scenario | None:
        """The open scenario without faults: given by the CLI, else the library's by the trace's name."""
        if self.scenario is None:
            from simulator.scenario import ScenarioError
            from simulator.scenario.library import open_scenario

            try:
                self.scenario = open_scenario(self.trace.scenario)
            except ScenarioError:
                return None
        return self.scenario

    def action_faults(self) -> None:
        from simulator.scenario.toggles import available_toggles
        from simulator.ui.screens.faults import FaultScreen

        base = self.base_scenario()
        toggles = available_toggles(base) if base is not None else []
        if not toggles:
            self.notify("No faults fit this trace (it is not a library scenario).", severity="warning")
            return
        self.player.pause()
        self._sync()
        from simulator.scenario.toggles import describe_fault

        written = tuple(describe_fault(base, fault) for fault in base.faults) if base is not None else ()
        self.app.push_screen(FaultScreen(toggles, self.faults, base.title if base is not None else "", written))

    def set_faults(self, names: tuple[str, ...]) -> None:
        """Switch exactly these faults on (from the fault panel): the engine runs again."""
        self.faults = tuple(names)

    def watch_faults(self, old: tuple[str, ...], new: tuple[str, ...]) -> None:
        from simulator.run import run_scenario
        from simulator.scenario.toggles import with_toggles

        base = self.base_scenario()
        if base is None:
            return
        try:
            trace = run_scenario(with_toggles(base, list(new)), self.seed)
        except Exception as exc:  # a fault the engine cannot take must not kill the player
            self.notify(f"Could not run with {', '.join(new)}: {exc}", severity="error")
            self.set_reactive(type(self).faults, old)
            return
        self.load_trace(trace, same_moment(self.trace.events, trace.events, self.player.index))
        self._show_faults()

    def _show_faults(self) -> None:
        """The banner: the toggles on, and the faults the scenario file has anyway."""
        from simulator.scenario.toggles import available_toggles, describe_fault

        base = self.base_scenario() if self.faults or self.loader is not None or self.scenario is not None else None
        labels: dict[str, str] = {}
        written: tuple[str, ...] = ()
        if base is not None:
            if self.faults:
                labels = {t.name: t.label for t in available_toggles(base)}
            written = tuple(describe_fault(base, fault) for fault in base.faults)
        self.banner.set_faults(tuple((name, labels.get(name, name)) for name in self.faults), written)

    # -- compare -----------------------------------------------------------------------------------
    def action_compare(self) -> None:
        from simulator.ui.screens.compare import CompareScreen

        self.player.pause()
        self._sync()
        # B starts as the scenario as written: with faults on, that is "with and without".
        screen = CompareScreen(self.trace, run_label(self.trace.scenario, self.faults), self.trace.scenario,
                               a_scenario=self.base_scenario(), seed=self.seed)
        self.app.push_screen(screen, self._compared)

    def _compared(self, step: int | None) -> None:
        if step is not None:
            self.jump(step)

    # -- predict -----------------------------------------------------------------------------------
    def action_toggle_predict(self) -> None:
        self.predicting = not self.predicting

    def watch_predicting(self, on: bool) -> None:
        # Imported the first time: simulator.quiz brings the engine with it, which the player alone
        # does not need before its first frame.
        from simulator.quiz.predict import PredictScore

        if self.score is None:
            self.score = PredictScore()
        if on:
            self.player.pause()
            self._sync()
        # The status bar says it: "predict 3/5" while on (a toast would sit on the question's choices).
        self.status.update_state(score=self.score.text if on else "")

    def _ask(self, step: int) -> bool:
        """Ask about step ``step`` if it makes a question not yet asked; True if a question is up."""
        from simulator.quiz.predict import predict_question

        if self.score is None or step in self.score.answers:
            return False
        prediction = predict_question(self.trace, step)
        if prediction is None:
            return False
        from simulator.ui.screens.predict import PredictScreen

        self.app.push_screen(PredictScreen(prediction, self.score.text), partial(self._predicted, prediction))
        return True

    def _predicted(self, prediction: Prediction, choice: str | None) -> None:
        if choice is None or self.score is None:
            return  # backed out: no answer, no step
        self.score.record(prediction, choice)
        from simulator.ui.messages import PredictionAnswered

        self.post_message(PredictionAnswered(self.trace.scenario, prediction, choice))  # the app records it
        self.status.update_state(score=self.score.text)
        self.jump(prediction.step)

    # -- the lesson card ---------------------------------------------------------------------------
    def action_hide_lesson(self) -> None:
        self.lesson.put_away()
