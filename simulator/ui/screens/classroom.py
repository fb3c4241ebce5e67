"""The player's classroom keys: chapters (``]`` ``[``), failures (``!`` ``@``), the key moment (``k``),
skipping the submission prelude (``>``), the chapter list (``l``), presenter layout (``P``) and the
instructor's notes (``i``).

A mixin of :class:`~simulator.ui.screens.player.PlayerScreen`, which declares the keys; the chapters
themselves come from :mod:`simulator.trace.chapters` (no Textual), worked out once per trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.trace.chapters import Outline

if TYPE_CHECKING:
    from simulator.trace.events import Trace
    from simulator.ui.player import Player
    from simulator.ui.widgets.explanation import Explanation
    from simulator.ui.widgets.notes import NotesPanel

    _Base = Any
else:
    _Base = object


class ClassroomTools(_Base):
    """Jumps between the steps an instructor stops at, and the layout for a projector."""

    trace: Trace
    player: Player
    outline: Outline
    explanation: Explanation
    notes: NotesPanel

    def _go(self, index: int | None, nothing: str) -> None:
        if index is None:
            self.notify(nothing, timeout=3)
            return
        self.player.pause()
        self.jump(index)

    def action_next_chapter(self) -> None:
        self._go(self.outline.next_chapter(self.player.index), "This is the last chapter.")

    def action_previous_chapter(self) -> None:
        self._go(self.outline.previous_chapter(self.player.index), "This is the first chapter.")

    def action_next_failure(self) -> None:
        found = self.outline.next_failure(self.player.index)
        if found is None and self.outline.failures:
            self._go(None, "No failure after this step (@ goes back to the one before).")
            return
        self._go(found, "Nothing fails in this lesson.")

    def action_previous_failure(self) -> None:
        self._go(self.outline.previous_failure(self.player.index), "No failure before this step.")

    def action_key_moment(self) -> None:
        step = self.outline.next_moment(self.player.index)
        if step is None:
            step = self.outline.first_failure  # no moment named: the first failure is the lesson's point
        self._go(step, "This lesson names no key moment and nothing fails in it.")

    def action_skip_prelude(self) -> None:
        end = self.outline.prelude_end
        if end is not None and self.player.index >= end:
            self._go(None, "Already past the submission.")
            return
        self._go(end, "This lesson has no shared submission to skip.")

    def action_chapters(self) -> None:
        from simulator.ui.screens.chapters import ChapterScreen

        if not self.outline.chapters:
            self.notify("This trace has no steps.", timeout=3)
            return
        self.player.pause()
        self._sync()
        self.app.push_screen(ChapterScreen(self.outline, self.player.index), self._picked_chapter)

    def _picked_chapter(self, index: int | None) -> None:
        if index is not None:
            self.jump(index)

    # -- presenter layout and notes ----------------------------------------------------------------
    @property
    def presenting(self) -> bool:
        return self.has_class("-presenter")

    def set_presenter(self, on: bool) -> None:
        """The projector's layout: topology and exchange large, the explanation whole, no event list."""
        self.set_class(on, "-presenter")
        if on and self.focused is not None:
            self.set_focus(None)  # the event list is hidden: its keys must not eat the screen's
        elif not on:
            self.event_list.focus()

    def action_toggle_presenter(self) -> None:
        self.set_presenter(not self.presenting)

    def action_toggle_notes(self) -> None:
        self.notes.display = not self.notes.display
        if self.notes.display:
            self.notes.show(self.outline, self.player.index)

    def action_explain_down(self) -> None:
        self.explanation.scroll_relative(y=max(1, self.explanation.size.height - 2), animate=False)

    def action_explain_up(self) -> None:
        self.explanation.scroll_relative(y=-max(1, self.explanation.size.height - 2), animate=False)

    def chapter_label(self, index: int) -> str:
        """The status bar's words for where ``index`` is: chapter n/N and its name."""
        chapter = self.outline.chapter_at(index)
        if chapter is None:
            return ""
        number = self.outline.chapter_number(index) + 1
        failure = "✗ " if self.outline.failure_at(index) is not None else ""
        return f"{failure}§{number}/{len(self.outline.chapters)} {chapter.title}"

