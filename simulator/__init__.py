"""smtpsim: an educational simulator of email delivery."""

__version__ = "0.1.0"
