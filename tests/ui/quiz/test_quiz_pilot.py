"""The exam driven by keys, as a student would: answer, read why, go on, see the score and the review."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from simulator.ui.quiz.confirm import ConfirmQuitScreen
from simulator.ui.quiz.question import QuestionScreen
from simulator.ui.quiz.results import ResultsScreen
from simulator.ui.quiz.review import ReviewCard, ReviewScreen
from simulator.ui.quiz.widgets import AnswerNotes, ChoiceList, QuizStatus, ScoreSummary, TraceExcerpt
from simulator.ui.quiz_app import run_quiz
from tests.ui.quiz.quizkit import FakeClock, hand_quiz, key_of, make_quiz_app, real_quiz, wrong_choice

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]
SIZE = (100, 32)


def status_text(app) -> str:
    return app.screen.query_one(QuizStatus).render().plain


def notes_text(screen) -> str:
    return screen.query_one(AnswerNotes).render().plain


def prompts(screen) -> list[str]:
    choices = screen.query_one(ChoiceList)
    return [choices.get_option_at_index(i).prompt.plain for i in range(choices.option_count)]


async def test_right_answer_scores_and_explains():
    app = make_quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        q = screen.session.question(0)
        assert "score 0/0" in status_text(app)
        assert "Pick an answer" in notes_text(screen)
        assert not screen.query_one("#next-hint").display
        await pilot.press(key_of(q, q.answer))
        assert screen.session.answers[0] == q.answer
        assert "score 1/1" in status_text(app)
        assert screen.query_one("#feedback").border_title == "✓ Right"
        assert q.explanation in notes_text(screen)
        assert q.rfc in notes_text(screen)
        assert "✓" in prompts(screen)[q.choices.index(q.answer)]


async def test_wrong_answer_scores_and_explains():
    app = make_quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        q = screen.session.question(0)
        wrong = wrong_choice(q)
        await pilot.press(key_of(q, wrong))
        assert screen.session.right == 0 and screen.session.answered == 1
        assert "score 0/1" in status_text(app)
        right_key = q.choices.index(q.answer)
        assert screen.query_one("#feedback").border_title == f"✗ Wrong: the answer is {right_key + 1} {'abcd'[right_key]})"
        assert q.explanation in notes_text(screen) and q.rfc in notes_text(screen)
        marks = prompts(screen)
        assert marks[right_key].startswith("✓") and marks[q.choices.index(wrong)].startswith("✗")
        # Answered once: another key does not change it.
        await pilot.press(key_of(q, q.answer))
        assert screen.session.answers[0] == wrong and screen.session.right == 0


async def test_keys_1_to_4_and_a_to_d_pick_their_choice():
    keys = ["1", "b", "3", "d", "a", "2", "c", "4"]
    app = make_quiz_app(hand_quiz(len(keys)))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        for i, key in enumerate(keys):
            assert screen.index == i
            await pilot.press("n")  # not answered yet: n does nothing
            assert screen.index == i
            await pilot.press(key)
            assert screen.session.answers[i] == screen.session.question(i).choices["1234abcd".index(key) % 4]
            await pilot.press("n")
        # The hand-made answer of question i is choice i % 4; these keys hit it every time.
        assert screen.session.right == len(keys)


async def test_arrows_and_enter_answer_then_enter_goes_on():
    app = make_quiz_app(hand_quiz(3))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("down", "down", "up", "down", "down", "enter")
        assert screen.session.answers[0] == screen.session.question(0).choices[3]
        assert screen.index == 0 and screen.answered
        await pilot.press("enter")  # the list is locked: enter is the screen's "next"
        assert screen.index == 1 and not screen.answered
        await pilot.press("down", "enter")
        assert screen.session.answers[1] == screen.session.question(1).choices[1]


async def test_a_three_choice_question_ignores_4_and_d():
    real = real_quiz()
    three = next(i for i, (q, _) in enumerate(real) if len(q.choices) == 3)
    app = make_quiz_app([real[three]])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "d")
        assert not app.screen.answered
        await pilot.press("c")
        assert app.screen.session.answers[0] == real[three][0].choices[2]


async def test_the_timer_counts_down_and_ends_the_quiz():
    clock = FakeClock()
    app = make_quiz_app(hand_quiz(4), timer_minutes=2, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert "time left 02:00" in status_text(app)
        assert screen.ticker is not None and screen.ticker._interval == 1  # reads the clock each second
        await pilot.press("1", "n")  # question 1: right
        clock.advance(75.2)
        screen.check_time()  # what the one-second interval calls
        await pilot.pause()
        assert "time left 00:45" in status_text(app)
        assert isinstance(app.screen, QuestionScreen)
        clock.advance(45)
        screen.check_time()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        session = app.screen.session
        assert session.timed_out and session.right == 1 and session.answered == 1
        assert session.wrong() == [1, 2, 3]  # unanswered count as wrong
        summary = app.screen.query_one(ScoreSummary).render().plain
        assert "1 of 4 right" in summary and "25%" in summary
        assert "Time's up: 3 not answered, counted as wrong." in summary
        assert app.screen.query_one("#summary").border_subtitle == "time used 02:00 of 02:00"


async def test_time_running_out_behind_the_quit_confirm_still_ends_the_quiz():
    clock = FakeClock()
    app = make_quiz_app(hand_quiz(2), timer_minutes=1, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        question = app.screen
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmQuitScreen)
        clock.advance(61)
        question.check_time()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert len(app.screen_stack) == 2


async def test_results_show_the_score_per_difficulty():
    picked = hand_quiz(6)  # difficulties: easy, medium, hard, easy, medium, hard
    app = make_quiz_app(picked)
    async with app.run_test(size=SIZE) as pilot:
        pattern = [True, False, True, True, False, False]
        for i, right in enumerate(pattern):
            q = picked[i][0]
            await pilot.press(key_of(q, q.answer if right else wrong_choice(q)), "n")
        assert isinstance(app.screen, ResultsScreen)
        summary = app.screen.query_one(ScoreSummary).render().plain
        assert "3 of 6 right" in summary and "50%" in summary
        rows = {line.split()[0]: line.split()[1:4] for line in summary.splitlines()
                if line.split() and line.split()[0] in ("easy", "medium", "hard")}
        assert rows == {"easy": ["2", "2", "100%"], "medium": ["0", "2", "0%"], "hard": ["1", "2", "50%"]}
        assert "score 3/6  50%" in status_text(app)
        assert "review the 3 wrong answers" in summary


async def test_review_lists_exactly_the_wrong_answers_with_the_trace():
    picked = real_quiz()
    # Wrong on two questions that show trace steps and one written for its lesson (no step).
    with_step = [i for i, (q, _) in enumerate(picked) if q.step is not None]
    written = [i for i, (q, _) in enumerate(picked) if q.step is None]
    assert len(with_step) >= 2 and written, "the seeded quiz should hold both kinds"
    wrong_at = {with_step[0], with_step[1], written[0]}
    app = make_quiz_app(picked)
    async with app.run_test(size=(160, 48)) as pilot:
        for i, (q, _) in enumerate(picked):
            await pilot.press(key_of(q, wrong_choice(q) if i in wrong_at else q.answer), "n")
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("r")
        assert isinstance(app.screen, ReviewScreen)
        cards = list(app.screen.query(ReviewCard))
        assert [c.index for c in cards] == sorted(wrong_at)
        for card in cards:
            q, trace = picked[card.index]
            text = card.query_one(AnswerNotes).render().plain
            assert q.question in text and q.answer in text and wrong_choice(q) in text and q.explanation in text
            if q.step is None:
                assert not card.query(TraceExcerpt)
                assert "written for this scenario" in str(card.query_one(".review-authored").render())
            else:
                excerpt = card.query_one(TraceExcerpt).excerpt
                assert excerpt is not None and excerpt.step == q.step
                current = [line for line in excerpt.lines if line.current]
                assert [line.step for line in current] == [q.step]
                assert current[0].text == trace.events[q.step].text.splitlines()[0]
        # n / p move between cards; escape goes back to the results.
        await pilot.press("n")
        assert app.screen.card == 1 and cards[1].has_class("-current")
        await pilot.press("p", "p")
        assert app.screen.card == 0
        await pilot.press("escape")
        assert isinstance(app.screen, ResultsScreen)


async def test_q_asks_first_on_a_question_then_quits():
    app = make_quiz_app(hand_quiz(2))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmQuitScreen)
        assert app.screen.query_one("#stay", Button).has_focus
        await pilot.press("n")
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("q", "escape")
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("q", "enter")  # enter is on "Stay"
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("q", "y")
    assert app.return_value == 0


async def test_q_quits_at_once_from_results_and_review():
    for keys in (("q",), ("r", "q")):
        app = make_quiz_app(hand_quiz(1))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("b", "n")  # the answer is a: one wrong answer to review
            assert isinstance(app.screen, ResultsScreen)
            await pilot.press(*keys)
        assert app.return_code == 0 and not app.is_running


async def test_no_review_when_every_answer_is_right():
    app = make_quiz_app(hand_quiz(1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "n", "r")
        assert isinstance(app.screen, ResultsScreen)
        assert "nothing to review" in app.screen.query_one(ScoreSummary).render().plain


async def test_t_toggles_the_theme_everywhere():
    app = make_quiz_app(hand_quiz(1))
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("t")
        assert app.theme == "textual-light"
        await pilot.press("a", "n", "t")
        assert app.theme == "textual-dark"


@pytest.mark.parametrize("size, lines", [((80, 24), 6), ((100, 30), 8), ((160, 48), 15)],
                         ids=["80x24", "100x30", "160x48"])
async def test_the_feedback_shows_as_much_trace_as_fits(size, lines):
    picked = real_quiz()
    stepped = next(i for i, (q, t) in enumerate(picked) if q.step is not None and len(t.events) > q.step + 10)
    app = make_quiz_app([picked[stepped]])
    async with app.run_test(size=size) as pilot:
        assert app.screen.has_class("-compact") == (size == (80, 24))
        assert app.screen.query_one(TraceExcerpt).excerpt is None  # not before the answer
        await pilot.press("1")
        excerpt = app.screen.query_one(TraceExcerpt).excerpt
        assert excerpt.step == picked[stepped][0].step and 3 <= len(excerpt.lines) <= lines


def test_run_quiz_without_questions_says_so(capsys):
    assert run_quiz([]) == 2
    assert "no questions" in capsys.readouterr().err
