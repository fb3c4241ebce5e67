"""What a learner has done: answers, lessons finished, what to review next (issue 18).

Plain Python, no Textual: the quiz, the player and ``smtpsim progress`` only
call it. ``store`` keeps the record in SQLite (imported only where a record is
read or written, so ``smtpsim --help`` never loads sqlite3); ``leitner`` and
``review`` decide what comes back when; ``report`` and ``render`` make the
summary and its charts.
"""
