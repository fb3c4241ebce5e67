"""A child process for the durability tests: answers questions into the record, saying each one done.

``python -m tests.progress.writer TAG COUNT [GO_FILE]``: records COUNT answers
to made-up questions ``TAG-0`` ... (through the recorder, as the quiz does),
printing ``saved N`` after each commit. With GO_FILE it waits for that file
first, so that two writers start together.
``python -m tests.progress.writer --quiz N``: a real quiz app, driven
headless, that answers N questions, prints ``answered ID`` after each, then
waits mid-quiz (to be killed).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from simulator.progress.model import SessionKind
from simulator.progress.recorder import Recorder
from simulator.quiz.model import Difficulty, Question, QuestionKind
from simulator.scenario.topics import Topic


def made_up(tag: str, n: int) -> Question:
    return Question("lab", QuestionKind.AUTHORED, Difficulty.EASY, f"{tag} question {n}?",
                    ("yes", "no", "maybe"), "yes", "Because.", "", None, topics=(Topic.RETRIES,))


def write(tag: str, count: int, go: str | None) -> int:
    if go:
        while not os.path.exists(go):
            time.sleep(0.005)
    rec = Recorder(timeout=30)
    for n in range(count):
        notice = rec.answered(made_up(tag, n), "yes" if n % 2 else "no")
        if rec.problem:
            print(f"problem {notice}", flush=True)
            return 1
        print(f"saved {n}", flush=True)
    return 0


async def quiz(answer_first: int) -> None:
    from tests.ui.quiz.quizkit import hand_quiz, key_of, wrong_choice

    from simulator.ui.quiz_app import QuizApp, _before_start

    picked = hand_quiz(8)
    rec = Recorder()
    _before_start(rec, picked, SessionKind.QUIZ, None)
    app = QuizApp(picked, recorder=rec)
    app.animation_level = "none"
    async with app.run_test(size=(100, 32)) as pilot:
        print(f"session {rec.session}", flush=True)
        for i, (q, _) in enumerate(picked[:answer_first]):
            await pilot.press(key_of(q, q.answer if i % 2 else wrong_choice(q)))
            print(f"answered {q.id}", flush=True)  # after the key: the answer is committed
            await pilot.press("n")
        print("waiting", flush=True)
        await asyncio.sleep(3600)  # mid-quiz, until killed


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    if sys.argv[1] == "--quiz":
        asyncio.run(quiz(int(sys.argv[2])))
    else:
        raise SystemExit(write(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None))
