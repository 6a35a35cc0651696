"""glassnet's playground: TensorFlow Playground's experience, trained by
glassnet itself, with the backward pass made visible.

    glassnet playground [--port 8000] [--host 127.0.0.1] [--open]

or, from Python (a server on a free port, in a background thread)::

    from glassnet.playground import start
    server = start()
    print(server.url)
    ...
    server.stop()

The server (``server.py``: the standard library's http.server, one thread
per connection, server-sent events) keeps one session per browser tab
(``session.py``): its settings (``config.py``, every value checked), data
(``datasets.py``, ``upload.py``), network (``network.py``) and trainer
(``trainer.py``). The page (``static/``) is plain HTML, CSS and JavaScript
that draws what the server sends (``heatmaps.py``, ``backward.py``: the
traced step of ``gn.explain.trace_step``) and exports the model
(``export.py``). ``protocol.py`` describes the messages.
"""


def start(host="127.0.0.1", port=0, verbose=False):
    """Start a playground server in a background thread; returns it
    (``.url``, ``.stop()``)."""
    from .server import start as _start
    return _start(host, port, verbose)


def serve(host="127.0.0.1", port=8000, open_browser=False, verbose=False):
    """Run a playground server until Ctrl-C."""
    from .server import serve as _serve
    return _serve(host, port, open_browser, verbose)


__all__ = ["start", "serve"]
