"""The interactive exam: ``smtpsim quiz`` without ``--format``.

``session`` keeps the score in plain Python, ``excerpt`` picks the trace lines
that show an answer, ``widgets`` draw, and the screens (question, results,
review, the quit confirm) move between them. ``simulator.ui.quiz_app`` starts it.
"""
