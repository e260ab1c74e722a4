"""Dropping a client's connection without an answer (fault mode ``drop_after_commit``).

An ASGI app cannot close its connection: it can only answer, or fail, which uvicorn turns into a
500. So the simulator keeps uvicorn's own ``send`` (HubApp puts it in the scope before any
middleware wraps it): that is a bound method of uvicorn's request cycle, whose ``transport`` is
the TCP connection. Aborting it with SO_LINGER 0 resets the connection, and marking the cycle
disconnected makes uvicorn send nothing more. Both of uvicorn's HTTP implementations (h11,
httptools) and both event loops (asyncio, uvloop) have these members; the tests prove each.

Under any other server (or an in-process test client) the connection cannot be reached; the
request then fails with ConnectionAbortedError, which an in-process client sees raised and a
real server turns into a 500 — an answer, but still one that says nothing about the batch.
"""
from __future__ import annotations

import socket
import struct

RAW_SEND = "hubsim.raw_send"


class ConnectionDropped(ConnectionAbortedError):
    pass


def drop_connection(scope) -> None:
    """Reset the request's TCP connection; raise ConnectionDropped when it cannot be reached."""
    cycle = getattr(scope.get(RAW_SEND), "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(cycle, "disconnected"):
        raise ConnectionDropped("hubsim: batch stored, connection dropped (no server transport to abort)")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass      # a plain close still leaves the client without an answer
    transport.abort()
    cycle.disconnected = True
