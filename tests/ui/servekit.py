"""``smtpsim serve`` in a subprocess, and Debian's Chromium driven through its chromedriver.

textual-serve's page draws the terminal on a canvas, so there is no text in
the DOM to read. xterm.js has the screen as text in its buffer, but the page
keeps its Terminal private; HOOK (run before the page's own scripts) catches
it when the page hands it to xterm's fit addon, whose ``activate`` stores it
as ``this._terminal``. ``screen_text`` then reads the rows xterm shows.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's packages: nothing is downloaded
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 45.0  # seconds for a page or a step to show (a loaded machine); pytest-timeout is the real bound
URL_LINE = re.compile(r"listening on (http://\S+?)/? - open (https?://\S+?)/? in a browser")

HOOK = r"""
Object.defineProperty(Object.prototype, '_terminal', {
  configurable: true,
  get() { return undefined; },
  set(terminal) {
    // The first addon to store it: keep it, then put things back as they were.
    delete Object.prototype._terminal;
    Object.defineProperty(this, '_terminal', {value: terminal, writable: true, configurable: true, enumerable: true});
    window.__smtpsimTerminal = terminal;
  },
});
"""

SCREEN = r"""
const t = window.__smtpsimTerminal;
if (!t) return null;
const buffer = t.buffer.active, rows = [];
for (let y = 0; y < t.rows; y++) {
  const line = buffer.getLine(buffer.viewportY + y);
  rows.push(line ? line.translateToString(true) : '');
}
return rows.join('\n');
"""


def need_browser() -> None:
    """Chromium, its driver and Selenium; without them skip, unless under CI (.ci/run installs them): fail."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).is_file()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing under CI: {', '.join(missing)}; .ci/run installs chromium and chromium-driver")
        pytest.skip(f"no browser to test in: {', '.join(missing)} (apt-get install chromium chromium-driver); "
                    "CI runs this test")


@dataclass
class Served:
    """A running ``smtpsim serve``: where it listens, the URL it says to open, what it has printed."""

    proc: subprocess.Popen[str]
    local: str = ""
    public: str = ""
    output: list[str] = field(default_factory=list)

    def stop(self) -> int:
        """Ctrl+C, as an instructor stops it; its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@contextmanager
def served(*args: str) -> Iterator[str]:
    """``smtpsim serve --port 0 ARGS`` running; yields where it listens; stopped as Ctrl+C stops it."""
    with serving(*args) as server:
        yield server.local


@contextmanager
def serving(*args: str) -> Iterator[Served]:
    """``smtpsim serve --port 0 ARGS`` running, once it prints where it listens; stopped at the end."""
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    server = Served(proc)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:  # a warning may come first; the URL line once it listens
            server.output.append(line)
            found = URL_LINE.search(line)
            if found:
                server.local, server.public = found.groups()
                break
        else:
            raise AssertionError(f"serve stopped without listening: {''.join(server.output)!r}")
        # Read on, so the request log never fills the pipe and stops the server.
        threading.Thread(target=lambda: server.output.extend(proc.stdout or ()), daemon=True).start()
        yield server
    finally:
        server.stop()


def players(marker: str) -> list[int]:
    """The pids of ``smtpsim play`` processes whose command line has ``marker`` (a profile name, say)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # not a process, or one that has just ended
            continue
        if b"simulator" in words and b"play" in words and marker.encode() in words:
            found.append(int(entry.name))
    return found


def wait_until(check: Callable[[], Any], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.2)


@contextmanager
def chromium(width: int = 1400, height: int = 900) -> Iterator[Any]:
    """Headless Chromium through /usr/bin/chromedriver, HOOK in every page, a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="smtpsim-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    # The driver's path is given, so Selenium Manager is not run (it would look for downloads).
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        hook(driver)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def hook(driver: Any) -> None:
    """HOOK in the pages this tab loads from now on (each tab needs its own)."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOK})


def open_tab(driver: Any, url: str) -> str:
    """A new tab on ``url``, switched to; its window handle."""
    driver.switch_to.new_window("tab")
    hook(driver)
    driver.get(url)
    return str(driver.current_window_handle)


def screen_text(driver: Any) -> str:
    """The terminal's rows as xterm.js shows them ("" before the page has its terminal)."""
    return driver.execute_script(SCREEN) or ""


def wait_for_screen(driver: Any, check: Callable[[str], Any], what: str) -> str:
    """The screen once ``check(screen)`` is true; fails naming ``what`` and showing the screen if it never is."""
    deadline = time.monotonic() + WAIT
    text = ""
    while time.monotonic() < deadline:
        text = screen_text(driver)
        if text and check(text):
            return text
        time.sleep(0.2)
    raise AssertionError(f"the page never showed {what}; it showed:\n{text}")


def step_counter(screen: str) -> tuple[int, int] | None:
    """The status bar's ``step n/N`` (None if not on screen)."""
    found = re.search(r"\bstep (\d+)/(\d+)\b", screen)
    return (int(found.group(1)), int(found.group(2))) if found else None


def press(driver: Any, *keys: str) -> None:
    """Keys typed into the terminal, as a student types them (xterm turns them into the terminal's bytes)."""
    from selenium.webdriver.common.by import By

    # xterm.js takes keyboard input through a hidden textarea, which has the focus while the page does.
    driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys(*keys)


def png_pixels(data: bytes) -> tuple[int, int, list[list[bytes]]]:
    """Width, height and the rows of RGB pixels of an 8-bit, non-interlaced PNG (the format of RFC 2083)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, "expected 8-bit RGB or RGBA, not interlaced"
    size = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * size
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):  # undo the row's filter (type 0: none)
            left = line[i - size] if i >= size else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                corner = previous[i - size] if i >= size else 0
                guess = left + up - corner
                far = (abs(guess - left), abs(guess - up), abs(guess - corner))
                line[i] = (line[i] + (left if far[0] <= far[1] and far[0] <= far[2]
                                      else up if far[1] <= far[2] else corner)) & 255
        rows.append([bytes(line[x:x + 3]) for x in range(0, stride, size)])
        previous = line
    return width, height, rows


@contextmanager
def prefix_proxy(prefix: str) -> Iterator[tuple[str, Callable[[str], None], list[str]]]:
    """A reverse proxy on 127.0.0.1, port 0, that passes ``PREFIX/X`` on as ``/X``, WebSockets too.

    It does what docs/serve.md's nginx block does. Yields its public URL (``http://127.0.0.1:P/PREFIX``),
    known before the server behind it starts; ``start(upstream)``, which starts forwarding; and the
    paths it has forwarded, in order.
    """
    import asyncio

    from aiohttp import ClientSession, WSMsgType, web

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    public = f"http://127.0.0.1:{listener.getsockname()[1]}{prefix}"
    loop = asyncio.new_event_loop()
    runner: list[web.AppRunner] = []
    forwarded: list[str] = []

    async def forward(request: web.Request, upstream: str, client: ClientSession) -> web.StreamResponse:
        forwarded.append("/" + request.match_info["tail"])
        target = upstream + "/" + request.match_info["tail"] + (f"?{request.query_string}" if request.query_string else "")
        if request.headers.get("Upgrade", "").lower() == "websocket":
            browser = web.WebSocketResponse()
            await browser.prepare(request)
            async with client.ws_connect("ws" + target.removeprefix("http")) as server:
                async def pump(source: Any, sink: Any) -> None:
                    async for message in source:
                        if message.type == WSMsgType.TEXT:
                            await sink.send_str(message.data)
                        elif message.type == WSMsgType.BINARY:
                            await sink.send_bytes(message.data)
                    await sink.close()

                await asyncio.gather(pump(browser, server), pump(server, browser), return_exceptions=True)
            return browser
        async with client.get(target) as reply:
            return web.Response(body=await reply.read(), status=reply.status,
                                headers={"Content-Type": reply.headers.get("Content-Type", "text/plain")})

    async def begin(upstream: str) -> None:
        client = ClientSession()

        async def handle(request: web.Request) -> web.StreamResponse:
            return await forward(request, upstream, client)

        app = web.Application()
        app.router.add_route("GET", prefix + "/{tail:.*}", handle)
        app.on_cleanup.append(lambda _: client.close())
        runner.append(web.AppRunner(app, access_log=None))
        await runner[0].setup()
        await web.SockSite(runner[0], listener).start()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def start(upstream: str) -> None:
        asyncio.run_coroutine_threadsafe(begin(upstream), loop).result(timeout=20)

    try:
        yield public, start, forwarded
    finally:
        if runner:
            asyncio.run_coroutine_threadsafe(runner[0].cleanup(), loop).result(timeout=20)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=20)
        loop.close()
        listener.close()
