"""The one error the playground sends back to the page."""


class ProtocolError(Exception):
    """A request the server refuses: ``message`` is shown on the page as it
    is, ``status`` is the HTTP status, ``field`` names the setting at fault
    (so the page can point at its control), or None."""

    def __init__(self, message, status=400, field=None):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field

    def to_dict(self):
        return {"error": self.message, "field": self.field}
