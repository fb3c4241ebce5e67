"""Styles for the spans inside a widget's lines, worked out once per theme."""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


class CachedStyles(Widget):
    """A widget mixin: its base style and component span styles, kept until the styles change.

    Textual works ``rich_style`` out afresh on every call by walking up the
    DOM; the Line API widgets need it for every line of every step.
    """

    _base_style: Style | None = None
    _span_styles: dict[str, Style] | None = None

    @property
    def base_style(self) -> Style:
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def span(self, name: str) -> Style:
        """The foreground part of a component class's style.

        Not ``partial=True``: that leaves colours such as ``auto 60%`` (the
        themes' ``$text-muted``) with no background to be worked out against,
        and they come out white on the light theme. The full style resolves
        them; the span drops the background so a lit row's background shows.
        """
        if self._span_styles is None:
            self._span_styles = {}
        style = self._span_styles.get(name)
        if style is None:
            full = self.get_component_rich_style(name)
            style = Style(color=full.color, bold=full.bold, italic=full.italic, dim=full.dim,
                          underline=full.underline)
            self._span_styles[name] = style
        return style

    def notify_style_update(self) -> None:
        self._base_style = None
        self._span_styles = None
        super().notify_style_update()
