"""Serving the simulator with uvicorn: in the foreground (``python -m hubsim``) or, for tests and
demos, in a background thread on a free loopback port."""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import uvicorn


def uvicorn_config(app, *, http: str = "auto", loop: str = "auto", log_level: str = "warning",
                   access_log: bool = False, **kw) -> uvicorn.Config:
    # proxy_headers off: /_sim is loopback-only, and the client address must be the socket's.
    return uvicorn.Config(app, http=http, loop=loop, log_level=log_level, access_log=access_log,
                          proxy_headers=False, timeout_keep_alive=30, **kw)


@contextmanager
def serve_in_thread(app, host: str = "127.0.0.1", port: int = 0, *, http: str = "auto",
                    loop: str = "auto", startup_timeout: float = 15.0) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL (``http://127.0.0.1:<port>``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app, http=http, loop=loop))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name=f"hubsim-{bound_port}")
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hub simulator did not start")
            time.sleep(0.01)
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
