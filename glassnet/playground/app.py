"""The playground's web application (Starlette): the routes, the checks
every request passes, and the error replies.

Routes: ``/`` and ``/static/...`` (the page), ``/api/options``,
``/api/export/weights`` and ``/api/export/script`` (GET);
``/api/session``, ``/api/command`` and ``/api/upload`` (POST);
``/api/stream`` (the WebSocket of ``events.py``). Anything else is 404.
Every refusal is ``{"error": message, "field": setting or null}`` with a
4xx status; the work of glassnet runs in worker threads, each session
under its own lock, so the server keeps answering while tabs train.
"""

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from . import config as cfg
from . import events, export, limits, protocol, upload
from .api import run_command
from .errors import ProtocolError
from .options import options

SECURITY_HEADERS = {
    # everything the page loads comes from this server (its live stream too)
    "Content-Security-Policy": "default-src 'self'; connect-src 'self'; img-src 'self' data: "
    "blob:; style-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
DRAIN_BYTES = 1024 * 1024  # an oversized body up to this size is read (and dropped) first
BODY_SECONDS = 30  # a client's time to send a request's body


def _error(exc):
    return JSONResponse(exc.to_dict(), exc.status)


class Guard:
    """ASGI middleware before every route: Host and Origin (``hosts.py``),
    a refusal while the server stops, and the security headers."""

    def __init__(self, app, policy, stopping):
        self.app, self.policy, self.stopping = app, policy, stopping

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        try:
            if self.stopping.is_set():
                raise ProtocolError("the playground server is stopping", status=503)
            hosts = headers.getlist("host")
            self.policy.check(hosts[0] if len(hosts) == 1 else None, headers.get("origin"))
        except ProtocolError as exc:
            if scope["type"] == "websocket":  # before the handshake: an HTTP 403 reply
                return await send({"type": "websocket.close", "code": 1008})
            return await _error(exc)(scope, receive, send)
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    h.setdefault(k, v)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def read_body(request, limit):
    """The request's body, at most ``limit`` bytes (413 beyond; 411 without
    a Content-Length or chunked body; 408 when it comes too slowly)."""
    length = request.headers.get("content-length")  # digits: the HTTP parser checked it
    if length is None and "transfer-encoding" not in request.headers:
        raise ProtocolError("the request needs a Content-Length header", status=411)
    if length is not None and int(length) > limit:
        if int(length) <= DRAIN_BYTES:  # the client, still sending, then reads the reply
            async for _ in request.stream():
                pass
        raise ProtocolError(
            f"the request body has {length} bytes; at most {limit} are accepted", status=413
        )
    chunks, size = [], 0
    try:
        with anyio.fail_after(BODY_SECONDS):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise ProtocolError(
                        f"the request body has more than {limit} bytes; at "
                        f"most {limit} are accepted",
                        status=413,
                    )
                chunks.append(chunk)
    except TimeoutError:
        raise ProtocolError(
            f"the request body did not arrive within {BODY_SECONDS} s", status=408
        ) from None
    return b"".join(chunks)


def _query(request):
    params = request.query_params
    if len(params) > 10:
        raise ProtocolError("too many query parameters")
    return params


def make_app(store, policy, static, stopping):
    """The ASGI application of a server with these sessions, Host/Origin
    policy, static files ({url path: (file, content type)}) and stop flag."""

    async def page(request):
        path = request.url.path
        if path not in static:
            raise ProtocolError(f"not found: {path[:100]}", status=404)
        file, ctype = static[path]
        body = await anyio.Path(file).read_bytes()
        return Response(body, media_type=ctype)

    async def get_options(request):
        return JSONResponse(options())

    def _session(request):
        return store.get(_query(request).get("session"))

    async def export_weights(request):
        session = _session(request)

        def make():
            with session.lock:
                return export.weights_bytes(
                    session.network, session.config, session.data, session.upload
                )

        return Response(
            await run_in_threadpool(make),
            media_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{export.WEIGHTS_FILE}"'},
        )

    async def export_script(request):
        session = _session(request)

        def make():
            with session.lock:
                return export.script(
                    session.config,
                    session.network,
                    session.data,
                    session.upload,
                    session.upload_name,
                )

        return Response(
            (await run_in_threadpool(make)).encode("utf-8"),
            media_type="text/x-python; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{export.SCRIPT_FILE}"'},
        )

    async def new_session(request):
        settings = protocol.parse_session_request(
            protocol.parse_json(await read_body(request, limits.MAX_BODY_BYTES))
        )
        config = cfg.parse(settings)
        client = request.client.host if request.client else "local"
        session = await run_in_threadpool(store.create, config, client)
        return JSONResponse(
            {"session": session.id, "config": session.config.to_dict(), "options": options()}
        )

    async def command(request):
        msg = protocol.parse_json(await read_body(request, limits.MAX_BODY_BYTES))
        sid, kind, args = protocol.parse_command(msg)
        session = store.get(sid)
        reply = await run_in_threadpool(run_command, session, kind, args)
        return Response(protocol.dumps({"ok": True, **reply}), media_type="application/json")

    async def upload_csv(request):
        query = _query(request)
        session = store.get(query.get("session"))
        problem = query.get("problem", "classification")
        if problem not in ("classification", "regression"):
            raise ProtocolError(
                f"problem must be classification or regression, got {problem[:40]!r}",
                field="problem",
            )
        body = await read_body(request, limits.MAX_UPLOAD_BYTES)

        def use():
            ds = upload.read_csv(body, query.get("name"), problem)
            with session.lock:
                session.set_upload(ds, ds.name)
                session.playing = False
                return {"ok": True, "config": session.config.to_dict(), "rows": len(ds)}

        return JSONResponse(await run_in_threadpool(use))

    async def live(ws):
        await events.serve(ws, store, ws.query_params.get("session"), stopping)

    async def refused(request, exc):
        return _error(exc)

    async def bug(request, exc):  # reported to this request (and logged); the server goes on
        return JSONResponse(
            {"error": f"internal error: {type(exc).__name__}: {exc}", "field": None}, 500
        )

    async def http_error(request, exc):
        words = "not found" if exc.status_code == 404 else exc.detail
        return JSONResponse(
            {"error": f"{words}: {request.url.path[:100]}", "field": None},
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    routes = [
        Route("/", page),
        Route("/index.html", page),
        Route("/static/{path:path}", page),
        Route("/api/options", get_options),
        Route("/api/export/weights", export_weights),
        Route("/api/export/script", export_script),
        Route("/api/session", new_session, methods=["POST"]),
        Route("/api/command", command, methods=["POST"]),
        Route("/api/upload", upload_csv, methods=["POST"]),
        WebSocketRoute("/api/stream", live),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={ProtocolError: refused, HTTPException: http_error, Exception: bug},
    )
    app.router.redirect_slashes = False
    return Guard(app, policy, stopping)
