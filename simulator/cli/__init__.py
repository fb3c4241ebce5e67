"""The smtpsim command line."""
