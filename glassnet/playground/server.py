"""The playground's HTTP server: the application of ``app.py`` served by
uvicorn (HTTP/1.1 by h11, WebSockets by wsproto), which parses requests,
holds the listen backlog and times out idle and slow clients.

It listens on 127.0.0.1 unless told otherwise; any address other clients
can reach needs ``allow_remote=True`` (``--allow-remote``), and then a
warning is printed. Whatever the address, requests must name this server
in Host and Origin (``hosts.py``).
"""

import socket
import sys
import threading

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from . import limits
from .app import make_app
from .hosts import HostPolicy, is_loopback, is_wildcard
from .sessions import SessionStore
from .staticfiles import static_files


class RemoteRefused(ValueError):
    """An address beyond this machine without ``allow_remote``."""


class _Protocol(H11Protocol):
    """uvicorn's h11 connection with a deadline for each request's headers
    (``HEADER_SECONDS``): a client that sends them byte by byte, or not at
    all, is disconnected instead of holding the connection forever."""

    def connection_made(self, transport):
        super().connection_made(transport)
        self._deadline()

    def on_response_complete(self):
        super().on_response_complete()
        self._deadline()

    def _deadline(self):
        self.loop.call_later(limits.HEADER_SECONDS, self._too_slow, self.cycle)

    def _too_slow(self, cycle):
        # no new request since the deadline was set (an upgraded connection is the
        # WebSocket's, no longer ours)
        if (
            self.cycle is cycle
            and not self.transport.is_closing()
            and self.transport.get_protocol() is self
        ):
            self.transport.close()


def remote_warning(host, policy):
    return (
        f"WARNING: the playground listens on {host}, beyond this machine: anyone who can "
        f"reach it can train networks here and upload files (there is no password). "
        f"It answers to {', '.join(policy.names)} on port {policy.port}."
    )


class PlaygroundServer:
    """A playground listening on ``host``:``port`` (0: a free port); run it
    with ``serve_forever()`` (here) or ``start()`` (a background thread)."""

    def __init__(
        self, host="127.0.0.1", port=8000, verbose=False, allow_remote=False, allowed_hosts=()
    ):
        if not is_loopback(host) and not allow_remote:
            raise RemoteRefused(
                f"--host {host} lets other machines reach the playground; add --allow-remote "
                f"to do that on purpose (the default, 127.0.0.1, is this machine only)"
            )
        static = static_files()
        if "/" not in static:
            raise RuntimeError(
                "the playground's page (glassnet/playground/static/index.html) "
                "is missing from this installation of glassnet; reinstall it"
            )
        self.socket = self._listen(host, port)
        self.server_address = self.socket.getsockname()[:2]
        self.host = host
        self.policy = HostPolicy(host, self.server_address[1], allowed_hosts)
        self.store = SessionStore()
        self.stopping = threading.Event()
        self.app = make_app(self.store, self.policy, static, self.stopping)
        self.uvicorn = uvicorn.Server(
            uvicorn.Config(
                self.app,
                http=_Protocol,
                ws="wsproto",
                lifespan="off",
                log_config=None,
                log_level="info" if verbose else "warning",
                access_log=verbose,
                proxy_headers=False,
                server_header=False,
                backlog=limits.BACKLOG,
                limit_concurrency=limits.MAX_CONNECTIONS,
                timeout_keep_alive=limits.KEEP_ALIVE_SECONDS,
                timeout_graceful_shutdown=5,
                ws_max_size=limits.MAX_STREAM_MESSAGE,
                ws_ping_interval=None,
            )
        )
        self._thread = None

    @staticmethod
    def _listen(host, port):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(limits.BACKLOG)
        except OSError:
            sock.close()
            raise
        return sock

    @property
    def url(self):
        host, port = self.server_address
        host = "127.0.0.1" if is_wildcard(host) else host
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"

    def serve_forever(self):
        """Serve until ``stop()`` (another thread) or Ctrl-C (this one, the main)."""
        self.uvicorn.run(sockets=[self.socket])

    def stop(self):
        """Stop serving; when this returns no thread of this server runs
        glassnet any more (the open requests and streams have ended)."""
        self.stopping.set()
        self.uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(30)
        self.socket.close()


def start(host="127.0.0.1", port=0, verbose=False, allow_remote=False, allowed_hosts=()):
    """A running server (port 0: any free one) in a background thread;
    ``server.url``, ``server.stop()``. For tests and notebooks."""
    server = PlaygroundServer(host, port, verbose, allow_remote, allowed_hosts)
    server._thread = threading.Thread(
        target=server.serve_forever, name="glassnet-playground", daemon=True
    )
    server._thread.start()
    return server


def serve(
    host="127.0.0.1",
    port=8000,
    open_browser=False,
    verbose=False,
    print_fn=print,
    allow_remote=False,
    allowed_hosts=(),
):
    """Run the playground until Ctrl-C."""
    server = PlaygroundServer(host, port, verbose, allow_remote, allowed_hosts)
    if not is_loopback(host):
        print(remote_warning(host, server.policy), file=sys.stderr)
    print_fn(f"glassnet playground: {server.url}  (Ctrl-C stops it)")
    sys.stdout.flush()
    if open_browser:
        import webbrowser

        threading.Timer(0.3, webbrowser.open, args=(server.url,)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.socket.close()
    print_fn("\nstopped")
    return 0
