"""The page's files, served only from the package's ``static`` folder.

The folder is listed once, when the server starts: a request names one of
those files exactly or gets 404, so no path (``..``, ``%2e%2e``, absolute,
backslashes, symlinks out) can reach anything else.
"""

import os

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


def static_files(root=STATIC_DIR):
    """{url path: (file path, content type)} for every servable file under ``root``."""
    files = {}
    root = os.path.realpath(root)
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            ext = os.path.splitext(name)[1].lower()
            if (
                ext not in TYPES
                or os.path.islink(path)
                or not os.path.realpath(path).startswith(root + os.sep)
            ):
                continue
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            files["/static/" + rel] = (path, TYPES[ext])
    if "/static/index.html" in files:
        files["/"] = files["/index.html"] = files["/static/index.html"]
    return files
