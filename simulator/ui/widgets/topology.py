"""The actors as boxes in the order mail travels, with the active link lit.

The lit link shows its port and protection as a glyph and a word ("[ ] plain",
"[~] upgrading", "[#] STARTTLS", "[#] implicit TLS"), never by colour alone.
An envelope runs along it when a step crosses it; a bounce runs as "↩" and
its label says "NDR". A host that did not answer (or refused) says so in its
box ("✗ down"); an on-path attacker has no box of its own but sits on the
link it intercepts ("☠ mallory"). When the boxes do not fit
(or the CSS gives fewer than seven rows) it becomes a strip of names.

Drawn with the Line API: the rows of boxes only change when another pair of
actors is lit, so they are kept as strips and a step redraws just the link.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from simulator.ui.messages import ActorClicked
from simulator.trace.events import ActorInfo
from simulator.ui.tracemodel import BADGES, DOWN_WORDS, NDR_MARK, PORT_NAMES, SHORT_BADGES, Hop, Protection, TraceModel
from simulator.ui.widgets.styles import CachedStyles

ENVELOPE = "✉"
BOUNCE = "↩"
ATTACKER = "☠"
_RAIL = {
    Protection.PLAIN: "─", Protection.UPGRADING: "┄", Protection.HANDSHAKE: "┄",
    Protection.STARTTLS: "═", Protection.IMPLICIT: "═", Protection.LOCAL: "┈",
}
_RAIL_STYLE = {
    Protection.PLAIN: "topology--plain", Protection.UPGRADING: "topology--upgrading",
    Protection.HANDSHAKE: "topology--upgrading", Protection.STARTTLS: "topology--secure",
    Protection.IMPLICIT: "topology--secure", Protection.LOCAL: "topology--local",
}
FULL_HEIGHT = 7
MIN_BOX = 14  # narrower boxes cut every hostname: the strip of names reads better
MAX_BOX = 22


class Topology(CachedStyles, Widget):
    """Boxes for ``trace.actors`` and the link the current step crosses."""

    COMPONENT_CLASSES = {
        "topology--box", "topology--active", "topology--plain", "topology--upgrading",
        "topology--secure", "topology--local", "topology--envelope", "topology--down", "topology--bounce",
        "topology--attacker",
    }
    DEFAULT_CSS = """
    Topology { height: auto; }
    """

    envelope: reactive[float] = reactive(1.0, repaint=False)  # 0 at the sender, 1 at the receiver

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._model: TraceModel | None = None
        self._hop: Hop | None = None
        self._down: frozenset[tuple[str, str]] = frozenset()
        self._hits: list[tuple[int, int, str]] = []  # (first column, last column, actor id)
        self._centers: dict[str, int] = {}
        self._actors_key: tuple[object, ...] | None = None
        self._actor_rows: list[Strip] = []
        self._link_key: tuple[object, ...] | None = None
        self._link_rows: list[Strip] = []

    def set_trace(self, model: TraceModel) -> None:
        self._model = model
        self._hop = None
        self._down = frozenset()
        self._forget()
        self.envelope = 1.0
        self.refresh(layout=True)

    def show(self, index: int, *, animate: bool = False) -> None:
        """Light the link of step ``index``; the envelope runs along it if ``animate``."""
        if self._model is None or not len(self._model):
            return
        before = self._hop
        self._hop = self._model.hops[index]
        down = self._model.down[index]
        if down != self._down:
            self._down = down
            before = None  # a box changes: redraw them all
        if animate and not self._hop.local and self.app.animation_level != "none":
            self.set_reactive(Topology.envelope, 0.0)
            self.animate("envelope", 1.0, duration=0.35, easing="out_cubic", level="basic")
        else:
            settled = self.envelope == 1.0
            if self.app.animator.is_being_animated(self, "envelope"):
                settled = False
                self.app.animator.force_stop_animation(self, "envelope")
            self.set_reactive(Topology.envelope, 1.0)
            if settled and before is not None and before == self._hop:
                return  # the same link lit the same way (a multi-line reply, say): nothing here changes
        self._refresh_link(before)

    def watch_envelope(self) -> None:
        self._refresh_link(self._hop)

    def _refresh_link(self, before: Hop | None) -> None:
        # The same two actors lit: only the link rows change (the boxes stay as they are).
        hop = self._hop
        same_actors = before is not None and hop is not None and {before.src, before.dst} == {hop.src, hop.dst}
        rows = len(self._actor_rows)
        if same_actors and self._actors_key is not None and rows:
            self.refresh(Region(0, rows, self.size.width, self.size.height - rows))
        else:
            self.refresh()

    def actor_at(self, x: int) -> str | None:
        for first, last, actor_id in self._hits:
            if first <= x <= last:
                return actor_id
        return None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        actor_id = self.actor_at(offset.x)
        if actor_id is not None:
            self.post_message(ActorClicked(actor_id))

    def _forget(self) -> None:
        self._actors_key = None
        self._link_key = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget()

    def on_resize(self) -> None:
        self._forget()

    # -- size -------------------------------------------------------------------------
    def _actors(self) -> list[ActorInfo]:
        """The boxes: every actor but an on-path attacker, who is drawn on the link it attacks."""
        if self._model is None:
            return []
        return [a for a in self._model.trace.actors if a.role != "attacker"]

    def _box_width(self, width: int) -> int:
        """The width of each box, or 0 when boxes do not fit and names must do."""
        n = len(self._actors())
        box = min(MAX_BOX, (width - 2 * (n - 1)) // n) if n else 0
        return box if box >= MIN_BOX else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # With height: auto the boxes get their rows when they fit the width.
        return FULL_HEIGHT if self._box_width(width) else 2

    # -- drawing ----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if self._model is None or not self._model.trace.actors:
            return Strip.blank(width, self.base_style)
        rows = self._rows(width, self.content_size.height)
        return rows[y] if y < len(rows) else Strip.blank(width, self.base_style)

    def _rows(self, width: int, height: int) -> list[Strip]:
        hop = self._hop
        lit = (hop.src, hop.dst) if hop is not None else ()
        box = self._box_width(width) if height >= FULL_HEIGHT else 0
        actors_key = (width, box, lit, self._down)
        if actors_key != self._actors_key:
            self._actors_key = actors_key
            rows = self._boxes(width, box, set(lit)) if box else [self._names(width, set(lit))]
            self._actor_rows = [self._strip(row, width) for row in rows]
            self._link_key = None
        if hop is not None and box:
            track = _track(self._centers, hop)
            link_key = (hop, round(self.envelope * track))
            if link_key != self._link_key:
                self._link_key = link_key
                self._link_rows = [self._strip(row, width) for row in self._link(width, hop, BADGES)]
        elif hop is not None and height >= 2:
            track = _track(self._centers, hop)
            link_key = (hop, round(self.envelope * track))
            if link_key != self._link_key:
                self._link_key = link_key
                self._link_rows = [self._strip(self._link(width, hop, SHORT_BADGES, inline=True)[0], width)]
        else:
            self._link_rows = []
        return self._actor_rows + self._link_rows

    def _strip(self, text: Text, width: int) -> Strip:
        text.stylize_before(self.base_style)
        return Strip(list(text.render(self.app.console)), text.cell_len).adjust_cell_length(width, self.base_style)

    def _style(self, name: str) -> str:
        return str(self.span(name))

    def _boxes(self, width: int, box: int, lit: set[str]) -> list[Text]:
        actors = self._actors()
        down = dict(self._down)
        n = len(actors)
        gap = max(2, min(6, (width - n * box) // max(1, n - 1))) if n > 1 else 0
        left = max(0, (width - (n * box + (n - 1) * gap)) // 2)
        rows = [Text(" " * width, no_wrap=True, overflow="crop") for _ in range(FULL_HEIGHT - 2)]
        self._centers, self._hits = {}, []
        inner = box - 2
        for i, actor in enumerate(actors):
            x = left + i * (box + gap)
            self._centers[actor.id] = x + box // 2
            self._hits.append((x, x + box - 1, actor.id))
            style = self._style("topology--active" if actor.id in lit else "topology--box")
            name = _fit(actor.id, inner - 2)
            host, _, domain = actor.hostname.partition(".")
            # A client listens on nothing: its label says whose it is.
            ports = " ".join(f":{p}" for p in actor.ports) or actor.label or actor.role
            if len(ports) > inner and actor.ports:
                ports = " ".join(str(p) for p in actor.ports)
            if actor.id in down:
                ports = DOWN_WORDS[down[actor.id]]
            tee = "┬" if actor.id in lit else "─"
            lines = [
                f"╭ {name} " + "─" * (inner - len(name) - 2) + "╮",
                f"│{_fit(host, inner):<{inner}}│",
                f"│{_fit('.' + domain if domain else '', inner):<{inner}}│",
                f"│{_fit(ports, inner):<{inner}}│",
                "╰" + "─" * (box // 2 - 1) + tee + "─" * (box - box // 2 - 2) + "╯",
            ]
            for r, line in enumerate(lines):
                _put(rows[r], x, line, style)
            rows[0].stylize("bold", x + 2, x + 2 + len(name))
            if actor.id in down:
                rows[3].stylize(self._style("topology--down"), x + 1, x + 1 + len(ports))
        return rows

    def _names(self, width: int, lit: set[str]) -> Text:
        names = Text(" ", no_wrap=True, overflow="ellipsis")
        self._centers, self._hits = {}, []
        down = dict(self._down)
        x = 1
        for actor in self._actors():
            names.append(actor.id, self._style("topology--active" if actor.id in lit else "topology--box"))
            self._centers[actor.id] = x + len(actor.id) // 2
            self._hits.append((x, x + len(actor.id) - 1, actor.id))
            x += len(actor.id) + 2
            if actor.id in down:  # the glyph right after the name: "mx-net✗"
                names.append("✗", self._style("topology--down"))
                x += 1
            names.append("  ")
        return names

    def _link(self, width: int, hop: Hop, badges: dict[Protection, str], inline: bool = False) -> list[Text]:
        """The rail from sender to receiver with the envelope, and the label (beside it when ``inline``)."""
        rail = Text(" " * width, no_wrap=True, overflow="crop")
        below = Text(" " * width, no_wrap=True, overflow="crop")
        a, b = _ends(self._centers, hop)
        if a is None or b is None:
            return [rail] if inline else [rail, below]
        label = _label(hop, badges)
        style = self._style(_RAIL_STYLE[hop.protection])
        if hop.local:
            glyph = BOUNCE if hop.bounce else "▲"
            if inline:
                _put(rail, a, f"{glyph} " + label, style)
                return [rail]
            _put(rail, a, glyph, style)
            _put(below, _clamp(a - len(label) // 2, len(label), width), label, style)
            return [rail, below]
        lo, hi = min(a, b), max(a, b)
        line = list("╰" + _RAIL[hop.protection] * (hi - lo - 1) + "╯")
        if hi - lo >= 3:
            line[-2 if b > a else 1] = "▶" if b > a else "◀"
        _put(rail, lo, "".join(line), style)
        # The envelope stays inside the corners and clear of the arrow head.
        track = _track(self._centers, hop)
        if track > 0 or hi - lo >= 4:
            step = round(self.envelope * track)
            x = (a + 1 + step) if b > a else (a - 1 - step)
            if lo < x < hi:
                if hop.bounce:
                    _put(rail, x, BOUNCE, self._style("topology--bounce"))
                else:
                    _put(rail, x, ENVELOPE, self._style("topology--envelope"))
        if hop.attacker is not None and hop.link is not None:
            mid = _middle(self._centers, hop.link)
            if mid is not None:
                _put(rail, mid, ATTACKER, self._style("topology--attacker"))
                label = f"{ATTACKER} {hop.attacker} on this link  " + label
        if inline:
            if hi + 2 + len(label) <= width:
                _put(rail, hi + 2, label, style)
            else:
                _put(rail, max(0, lo - 2 - len(label)), label, style)
            return [rail]
        _put(below, _clamp((lo + hi) // 2 - len(label) // 2, len(label), width), label, style)
        return [rail, below]


def _middle(centers: dict[str, int], link: tuple[str, str]) -> int | None:
    a, b = centers.get(link[0]), centers.get(link[1])
    return (a + b) // 2 if a is not None and b is not None else None


def _ends(centers: dict[str, int], hop: Hop) -> tuple[int | None, int | None]:
    """Where the hop's rail starts and ends; an attacker (no box) speaks from the middle of the link it sits on."""
    a, b = centers.get(hop.src), centers.get(hop.dst)
    if hop.link is not None and (a is None or b is None):
        mid = _middle(centers, hop.link)
        a, b = (mid if a is None else a), (mid if b is None else b)
    return a, b


def _track(centers: dict[str, int], hop: Hop) -> int:
    """How many cells the envelope travels between the corners and the arrow head."""
    a, b = _ends(centers, hop)
    if a is None or b is None or hop.local:
        return 0
    return max(0, abs(b - a) - 4)


def _label(hop: Hop, badges: dict[Protection, str]) -> str:
    if hop.bounce and hop.local:
        return f"{NDR_MARK}: {hop.src} writes a bounce (DSN)"
    if hop.bounce:
        return f"{NDR_MARK} " + _plain_label(hop, badges)
    return _plain_label(hop, badges)


def _plain_label(hop: Hop, badges: dict[Protection, str]) -> str:
    if hop.local:
        return f"at {hop.src}, no network"
    if hop.protection is Protection.LOCAL:
        return "local delivery (no network)"
    port = f":{hop.port} " if hop.port is not None else ""
    what = PORT_NAMES.get(hop.port or 0, "")
    if badges is SHORT_BADGES:
        return f"{port}{badges[hop.protection]}"
    return f"{port}{badges[hop.protection]}" + (f"  ({what})" if what else "")


def _fit(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _clamp(x: int, length: int, width: int) -> int:
    return max(0, min(x, width - length))


def _put(row: Text, x: int, text: str, style: str) -> None:
    """Overwrite ``row`` from column ``x`` (one cell per character: ASCII and box glyphs)."""
    if x >= len(row.plain) or not text:
        return
    text = text[: len(row.plain) - x]
    plain = row.plain
    row.plain = plain[:x] + text + plain[x + len(text):]
    if style:
        row.stylize(style, x, x + len(text))
