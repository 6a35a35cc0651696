"""The playground's HTTP server: Python's standard library only
(``http.server`` with a thread per connection, and server-sent events).

Routes: ``/`` and ``/static/...`` (the page), ``/api/options``,
``/api/events`` (the stream), ``/api/export/weights`` and
``/api/export/script`` (GET); ``/api/session``, ``/api/command`` and
``/api/upload`` (POST); anything else is 404. Every failure in a request
becomes an error reply for that request only: the server, and every other
tab's session, carry on.
"""
import socket
import sys
import threading
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import config as cfg
from . import events, export, limits, protocol, upload
from .api import run_command
from .errors import ProtocolError
from .options import options
from .session import ENGINE
from .sessions import SessionStore
from .staticfiles import static_files

DRAIN_BYTES = 8 * 1024 * 1024
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SECURITY_HEADERS = {
    # everything the page loads comes from this server
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
                               "style-src 'self'; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Handler(BaseHTTPRequestHandler):
    server_version = "glassnet-playground"
    timeout = 30  # seconds a client may take to send its request

    # -- plumbing ----------------------------------------------------------------
    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)

    def _send(self, status, body, content_type, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in {**SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj, status=200):
        self._send(status, protocol.dumps(obj), "application/json; charset=utf-8")

    def _error(self, exc):
        if exc.status == 413:
            self.close_connection = True  # the unread body is not waited for
        self._json(exc.to_dict(), exc.status)

    def _guarded(self, fn):
        try:
            if self.server.stopping.is_set():
                raise ProtocolError("the playground server is stopping", status=503)
            self._check_host()
            fn()
        except ProtocolError as exc:
            self._error(exc)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception as exc:  # a bug: report it to this request, keep serving
            traceback.print_exc(file=sys.stderr)
            try:
                self._error(ProtocolError(f"internal error: {type(exc).__name__}: {exc}", 500))
            except OSError:
                pass

    def _check_host(self):
        """Refuse requests for other host names (DNS rebinding) and
        cross-site posts, when the server listens on loopback only."""
        if not self.server.loopback:
            return
        host = urllib.parse.urlsplit("//" + (self.headers.get("Host") or "")).hostname
        if host not in LOOPBACK:
            raise ProtocolError(f"requests must be addressed to this machine (127.0.0.1 or "
                                f"localhost), not {str(host)[:60]!r}", status=403)
        origin = self.headers.get("Origin")  # "null": a sandboxed frame or a file
        if origin is not None and urllib.parse.urlsplit(origin).hostname not in LOOPBACK:
            raise ProtocolError("requests from other web sites are refused", status=403)

    def _query(self):
        url = urllib.parse.urlsplit(self.path)
        try:
            query = urllib.parse.parse_qs(url.query, strict_parsing=False,
                                          max_num_fields=10)
        except ValueError:
            raise ProtocolError("too many query parameters") from None
        return url.path, {k: v[-1] for k, v in query.items()}

    def _body(self, limit):
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise ProtocolError("the request needs a Content-Length header", status=411)
        n = int(length)
        if n > limit:
            self._discard(n)
            raise ProtocolError(f"the request body has {n} bytes; at most {limit} are accepted",
                                status=413)
        body = self.rfile.read(n)
        if len(body) != n:
            raise ProtocolError("the request body ended early")
        return body

    def _discard(self, n, most=DRAIN_BYTES):
        """Read and drop an oversized body (up to ``most`` bytes), so that the
        client, still sending, reads the error instead of a reset connection."""
        if n > most:
            return
        while n > 0:
            chunk = self.rfile.read(min(n, 65536))
            if not chunk:
                return
            n -= len(chunk)

    def _session(self, query_or_msg):
        return self.server.store.get(query_or_msg.get("session"))

    # -- GET -------------------------------------------------------------------------
    def do_GET(self):
        self._guarded(self._get)

    def _get(self):
        path, query = self._query()
        if path in self.server.static:
            file, ctype = self.server.static[path]
            with open(file, "rb") as f:
                self._send(200, f.read(), ctype)
        elif path == "/api/options":
            self._json(options())
        elif path == "/api/events":
            self._events(self._session(query))
        elif path == "/api/export/weights":
            session = self._session(query)
            with ENGINE:
                body = export.weights_bytes(session.network)
            self._send(200, body, "application/octet-stream", {
                "Content-Disposition": f'attachment; filename="{export.WEIGHTS_FILE}"'})
        elif path == "/api/export/script":
            session = self._session(query)
            with ENGINE:
                text = export.script(session.config, session.network, session.data,
                                     session.upload, session.upload_name)
            self._send(200, text.encode("utf-8"), "text/x-python; charset=utf-8", {
                "Content-Disposition": f'attachment; filename="{export.SCRIPT_FILE}"'})
        else:
            raise ProtocolError(f"not found: {path[:100]}", status=404)

    def _events(self, session):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        for k, v in SECURITY_HEADERS.items():
            self.send_header(k, v)
        self.end_headers()
        self.close_connection = True

        def write(data):
            self.wfile.write(data)
            self.wfile.flush()
        try:
            events.stream(session, self.server.store, write, self.server.stopping)
        except (OSError, ValueError):
            pass  # the tab has gone

    # -- POST ------------------------------------------------------------------------
    def do_POST(self):
        self._guarded(self._post)

    def _post(self):
        path, query = self._query()
        if path == "/api/session":
            settings = protocol.parse_session_request(
                protocol.parse_json(self._body(limits.MAX_BODY_BYTES)))
            config = cfg.parse(settings)
            with ENGINE:
                session = self.server.store.create(config)
            self._json({"session": session.id, "config": session.config.to_dict(),
                        "options": options()})
        elif path == "/api/command":
            msg = protocol.parse_json(self._body(limits.MAX_BODY_BYTES))
            sid, kind, args = protocol.parse_command(msg)
            session = self.server.store.get(sid)
            self._json({"ok": True, **run_command(session, kind, args)})
        elif path == "/api/upload":
            session = self._session(query)
            problem = query.get("problem", "classification")
            if problem not in ("classification", "regression"):
                raise ProtocolError(f"problem must be classification or regression, got "
                                    f"{problem[:40]!r}", field="problem")
            ds = upload.read_csv(self._body(limits.MAX_UPLOAD_BYTES), query.get("name"),
                                 problem)
            with ENGINE:
                session.set_upload(ds, ds.name)
                session.playing = False
            self._json({"ok": True, "config": session.config.to_dict(), "rows": len(ds)})
        else:
            raise ProtocolError(f"not found: {path[:100]}", status=404)


class PlaygroundServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host="127.0.0.1", port=8000, verbose=False):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        static = static_files()
        if "/" not in static:
            raise RuntimeError("the playground's page (glassnet/playground/static/index.html) "
                               "is missing from this installation of glassnet; reinstall it")
        super().__init__((host, port), Handler)
        self.static = static
        self.verbose = verbose
        self.loopback = host in LOOPBACK or host.startswith("127.")
        self.store = SessionStore()
        self.stopping = threading.Event()

    @property
    def url(self):
        host, port = self.server_address[:2]
        host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"

    def stop(self):
        """Stop serving; when this returns no thread of this server runs glassnet
        any more (event streams check ``stopping`` while holding ENGINE)."""
        self.stopping.set()
        self.shutdown()
        self.server_close()
        with ENGINE:
            pass


def start(host="127.0.0.1", port=0, verbose=False):
    """A running server (port 0: any free one) in a background thread;
    ``server.url``, ``server.stop()``. For tests and notebooks."""
    server = PlaygroundServer(host, port, verbose)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="glassnet-playground", daemon=True)
    thread.start()
    return server


def serve(host="127.0.0.1", port=8000, open_browser=False, verbose=False, print_fn=print):
    """Run the playground until Ctrl-C."""
    server = PlaygroundServer(host, port, verbose)
    print_fn(f"glassnet playground: {server.url}  (Ctrl-C stops it)")
    sys.stdout.flush()
    if open_browser:
        import webbrowser
        threading.Timer(0.3, webbrowser.open, args=(server.url,)).start()
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        print_fn("\nstopped")
    finally:
        server.stopping.set()
        server.server_close()
    return 0
