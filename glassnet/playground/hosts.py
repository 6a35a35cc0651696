"""Who may talk to the playground: the Host and Origin each request must
carry, whatever address the server listens on.

A request's ``Host`` must name this server — one of its host names and its
port — so a page whose name resolves to this machine (DNS rebinding) is
refused. A browser sends ``Origin`` with every POST and WebSocket; when
present it must be exactly ``http://<one of those names>:<port>`` (scheme,
host and port), so a page on another site, or on another port of this
machine, cannot drive a tab's session. Requests without ``Origin`` come
from programs, not from other sites' pages, and pass.
"""

import ipaddress
import socket

from .errors import ProtocolError

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def is_loopback(host):
    """True for an address (or 'localhost') that only this machine reaches."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_wildcard(host):
    return host in ("", "0.0.0.0", "::")


def _bracket(name):
    return f"[{name}]" if ":" in name else name


def _machine_names():
    """This machine's host names and addresses (for a server on every interface)."""
    names = {socket.gethostname(), socket.getfqdn()}
    for name in list(names):
        try:
            names.update(info[4][0] for info in socket.getaddrinfo(name, None))
        except OSError:
            pass
    return {n for n in names if n}


class HostPolicy:
    """The Host and Origin values a server bound to ``bind`` on ``port``
    accepts: the loopback names, the bound address, the machine's own
    names when it listens on every interface, and ``extra`` names."""

    def __init__(self, bind, port, extra=()):
        names = set(LOOPBACK_NAMES)
        if not is_wildcard(bind):
            names.add(bind)
        else:
            names |= _machine_names()
        names |= {str(n) for n in extra}
        self.names = sorted(n.lower().strip("[]") for n in names)
        self.port = int(port)
        hosts = {f"{_bracket(n)}:{self.port}" for n in self.names}
        if self.port == 80:  # the default port may be left out
            hosts |= {_bracket(n) for n in self.names}
        self.hosts = frozenset(hosts)
        self.origins = frozenset(f"http://{h}" for h in hosts)

    def check(self, host, origin):
        """Raise a 403 ProtocolError unless ``host`` (the Host header) and
        ``origin`` (the Origin header, or None) name this server."""
        if (host or "").lower() not in self.hosts:
            raise ProtocolError(
                f"requests must be addressed to this server ({self.describe()}), not "
                f"{str(host)[:80]!r}",
                status=403,
            )
        if origin is not None and origin.lower() not in self.origins:
            raise ProtocolError(
                f"requests from other web sites are refused (Origin {origin[:80]!r}; this "
                f"server is {self.describe()})",
                status=403,
            )

    def describe(self):
        shown = [f"{_bracket(n)}:{self.port}" for n in self.names if n in LOOPBACK_NAMES[:2]]
        rest = len(self.names) - len(shown)
        return " or ".join(shown) + (f" or {rest} other name{'s' * (rest > 1)}" if rest else "")
