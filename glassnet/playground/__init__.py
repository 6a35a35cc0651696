"""glassnet's playground: TensorFlow Playground's experience, trained by
glassnet itself, with the backward pass made visible.

    glassnet playground [--port 8000] [--host 127.0.0.1 [--allow-remote]] [--open]

or, from Python (a server on a free port, in a background thread)::

    from glassnet.playground import start
    server = start()
    print(server.url)
    ...
    server.stop()

The server (``server.py``: Starlette's application of ``app.py`` on
uvicorn, a WebSocket per tab for the live stream of ``events.py``, Host and
Origin checked by ``hosts.py``) keeps one session per browser tab
(``session.py``, in ``sessions.py``'s bounded store): its settings (``config.py``, every value
checked), data
(``datasets.py``, ``upload.py``), network (``network.py``) and trainer
(``trainer.py``), played at a speed (``pace.py``) in fair turns with the
other tabs (``turns.py``); a blow-up pauses it (``divergence.py``). The
page (``static/``) is plain HTML, CSS and JavaScript
that draws what the server sends (``heatmaps.py``, ``backward.py``: the
traced step of ``gn.explain.trace_step``) and exports the model
(``export.py``). ``protocol.py`` describes the messages.
"""


def start(host="127.0.0.1", port=0, verbose=False, allow_remote=False, allowed_hosts=()):
    """Start a playground server in a background thread; returns it
    (``.url``, ``.stop()``). A ``host`` other machines can reach needs
    ``allow_remote=True``; ``allowed_hosts``: more names it answers to."""
    from .server import start as _start

    return _start(host, port, verbose, allow_remote, allowed_hosts)


def serve(
    host="127.0.0.1",
    port=8000,
    open_browser=False,
    verbose=False,
    allow_remote=False,
    allowed_hosts=(),
):
    """Run a playground server until Ctrl-C."""
    from .server import serve as _serve

    return _serve(
        host, port, open_browser, verbose, allow_remote=allow_remote, allowed_hosts=allowed_hosts
    )


__all__ = ["start", "serve"]
