"""The SMTP machines find their handlers in tables built once: each table must name every command.

The tables replace a getattr on the command's name per line; a verb the server knows or a reply the
client can wait for without an entry would fail only when that command is first used.
"""

from simulator.protocols.smtp import client, server
from simulator.protocols.smtp._state import CLIENT_STATE_FOR_COMMAND, KNOWN_VERBS


def test_the_server_has_the_handler_of_each_known_verb() -> None:
    assert set(server._COMMANDS) == set(KNOWN_VERBS)
    for verb, handler in server._COMMANDS.items():
        assert handler is getattr(server.SMTPServer, "_cmd_" + verb.lower())


def test_the_client_has_the_handler_of_each_reply_it_waits_for() -> None:
    # CLIENT_STATE_FOR_COMMAND lists every command the client queues a pending reply for.
    assert set(client._REPLY_HANDLERS) == set(CLIENT_STATE_FOR_COMMAND)
    for command, handler in client._REPLY_HANDLERS.items():
        assert handler is getattr(client.SMTPClient, "_on_" + command.lower().replace("-", "_"))
