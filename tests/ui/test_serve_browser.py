"""``smtpsim serve`` in a real browser: headless Chromium opens the page, types keys, reads the screen.

Expected values come from the lesson itself, not from the player: the number
of steps is the number of events ``smtpsim run --json`` prints, the title is
the scenario file's, read with tomllib.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections import Counter

import pytest

from simulator.scenario.library import resolve_scenario
from tests.ui.servekit import (chromium, need_browser, open_tab, players, png_pixels, prefix_proxy, press, served,
                              serving, step_counter, wait_for_screen, wait_until)

pytestmark = [pytest.mark.ui, pytest.mark.timeout(90)]


@pytest.fixture(autouse=True)
def _browser() -> None:
    need_browser()


def steps_of(name: str) -> int:
    done = subprocess.run([sys.executable, "-m", "simulator", "run", name, "--json"], capture_output=True, text=True,
                          timeout=60, check=True)
    return len(done.stdout.splitlines())


def title_of(name: str) -> str:
    with open(resolve_scenario(name), "rb") as file:
        return str(tomllib.load(file)["scenario"]["title"])


def test_the_page_shows_the_lesson_and_the_step_keys_move_the_counter() -> None:
    total = steps_of("user-unknown")
    with served("--lesson", "user-unknown") as url, chromium() as browser:
        browser.get(url + "/")
        screen = wait_for_screen(browser, lambda s: step_counter(s) is not None, "the player's step counter")
        assert step_counter(screen) == (1, total)
        assert title_of("user-unknown") in screen
        press(browser, "n", "n", "n")
        wait_for_screen(browser, lambda s: step_counter(s) == (4, total), f"step 4/{total} after n n n")
        press(browser, "p")
        wait_for_screen(browser, lambda s: step_counter(s) == (3, total), f"step 3/{total} after p")
        from selenium.webdriver.common.keys import Keys

        press(browser, Keys.END)
        wait_for_screen(browser, lambda s: step_counter(s) == (total, total), f"the last step after End")


def test_each_tab_gets_a_player_of_its_own() -> None:
    total = steps_of("user-unknown")
    with served("--lesson", "user-unknown") as url, chromium() as browser:
        browser.get(url + "/")
        wait_for_screen(browser, lambda s: step_counter(s) == (1, total), "the first tab's player")
        first = browser.current_window_handle
        press(browser, "n", "n")
        wait_for_screen(browser, lambda s: step_counter(s) == (3, total), "step 3 in the first tab")
        open_tab(browser, url + "/")
        # A player of its own: it starts at step 1, whatever the first tab did.
        wait_for_screen(browser, lambda s: step_counter(s) == (1, total), "a fresh player in the second tab")
        press(browser, "n")
        wait_for_screen(browser, lambda s: step_counter(s) == (2, total), "step 2 in the second tab")
        browser.switch_to.window(first)
        wait_for_screen(browser, lambda s: step_counter(s) == (3, total), "the first tab still at step 3")


def test_without_a_lesson_each_tab_opens_the_picker_and_a_choice_plays() -> None:
    total = steps_of("greylisting")
    with served() as url, chromium() as browser:
        browser.get(url + "/")
        wait_for_screen(browser, lambda s: "Open a scenario" in s, "the lesson picker")
        from selenium.webdriver.common.keys import Keys

        press(browser, "greylist")  # the picker's filter box has the focus
        wait_for_screen(browser, lambda s: "greylisting" in s and "submission-starttls" not in s,
                        "the list filtered to greylisting")
        press(browser, Keys.ENTER)
        screen = wait_for_screen(browser, lambda s: "Open a scenario" not in s and step_counter(s) == (1, total),
                                 f"the greylisting player at step 1/{total}")
        assert title_of("greylisting") in screen
        press(browser, "n")
        wait_for_screen(browser, lambda s: step_counter(s) == (2, total), f"step 2/{total} after n")


def test_a_screenshot_of_the_player_is_the_player(tmp_path) -> None:
    with served("--lesson", "submission-starttls") as url, chromium(1280, 800) as browser:
        browser.get(url + "/")
        wait_for_screen(browser, lambda s: step_counter(s) is not None and "Events" in s, "the player")
        press(browser, "n")
        wait_for_screen(browser, lambda s: (step_counter(s) or (0, 0))[0] == 2, "step 2")
        shot = tmp_path / "serve-player.png"
        assert browser.save_screenshot(str(shot))
        size = browser.execute_script("return [window.innerWidth * devicePixelRatio, "
                                      "window.innerHeight * devicePixelRatio]")
    width, height, rows = png_pixels(shot.read_bytes())
    assert [width, height] == [round(v) for v in size]
    colours = Counter(pixel for row in rows for pixel in row)
    _, most = colours.most_common(1)[0]
    # Not blank: text, anti-aliased so in many shades, over a background that is most of a dark screen.
    assert len(colours) > 200
    assert most / (width * height) < 0.95
    # The status bar along the top and the footer along the bottom: text in them, not a plain bar.
    for band in (rows[2:16], rows[-16:-2]):
        assert len({pixel for row in band for pixel in row}) > 20


def test_behind_a_proxy_that_strips_a_prefix_the_page_still_plays() -> None:
    # docs/serve.md's set-up: the proxy passes /smtpsim/X on as /X and --public-url names the proxy.
    total = steps_of("user-unknown")
    with prefix_proxy("/smtpsim") as (public, start, forwarded):
        with served("--lesson", "user-unknown", "--public-url", public) as local, chromium() as browser:
            start(local)
            browser.get(public + "/")
            wait_for_screen(browser, lambda s: step_counter(s) == (1, total), "the player through the proxy")
            press(browser, "n")
            wait_for_screen(browser, lambda s: step_counter(s) == (2, total), "step 2 through the proxy")
    # Through it, not around it: the page's script and its WebSocket came by the proxy.
    assert {"/", "/static/js/textual.js", "/ws"} <= set(forwarded)


def test_a_closed_tab_ends_its_player_and_ctrl_c_ends_the_rest() -> None:
    marker = f"serve-test-{os.getpid()}"  # a profile name: it marks this test's players in the process table
    with serving("--lesson", "user-unknown", "--profile", marker) as server, chromium() as browser:
        browser.get(server.local + "/")
        wait_for_screen(browser, lambda s: step_counter(s) is not None, "the first tab's player")
        first = browser.current_window_handle
        open_tab(browser, server.local + "/")
        wait_for_screen(browser, lambda s: step_counter(s) is not None, "the second tab's player")
        wait_until(lambda: len(players(marker)) == 2, "a player process for each of two tabs")
        browser.close()
        browser.switch_to.window(first)
        wait_until(lambda: len(players(marker)) == 1, "the closed tab's player ending")
        assert server.stop() == 0
        wait_until(lambda: players(marker) == [], "Ctrl+C ending the other tab's player")
