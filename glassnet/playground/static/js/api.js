// Talking to the server: JSON commands (POST) and the live stream (a WebSocket).
// Every refusal comes back as {error, field}; callers show it on the page.

export class ApiError extends Error {
  constructor(message, field = null, status = 0) { super(message); this.field = field; this.status = status; }
}

async function post(path, body, contentType = "application/json") {
  let res;
  try {
    res = await fetch(path, { method: "POST", headers: { "Content-Type": contentType },
      body: contentType === "application/json" ? JSON.stringify(body) : body });
  } catch (e) {
    throw new ApiError(`the server did not answer (${e.message})`);
  }
  let reply;
  try { reply = await res.json(); } catch (e) { throw new ApiError(`bad reply from the server (HTTP ${res.status})`, null, res.status); }
  if (!res.ok) throw new ApiError(reply.error || `HTTP ${res.status}`, reply.field, res.status);
  return reply;
}

export function createSession(config) {
  return post("/api/session", { config });
}

export class Connection {
  constructor(sessionId) { this.id = sessionId; }

  command(type, args = {}) {
    return post("/api/command", { session: this.id, type, ...args });
  }

  upload(file, problem) {
    const q = new URLSearchParams({ session: this.id, problem, name: file.name });
    return post(`/api/upload?${q}`, file, "text/csv");
  }

  exportUrl(what) {
    return `/api/export/${what}?session=${encodeURIComponent(this.id)}`;
  }

  // handlers: {data(msg), frame(msg), failure(msg), lost(reason)}. Each message is
  // {event, data}; the page answers each with "ack" once it has drawn it (the server
  // sends the next only then). A dropped stream is reopened a few times.
  listen(handlers, retries = 3) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/api/stream?session=${encodeURIComponent(this.id)}`);
    let failure = null;
    ws.onopen = () => { retries = 3; };
    ws.onmessage = (ev) => {
      const { event, data } = JSON.parse(ev.data);
      try {
        if (event === "failure") failure = data;
        if (handlers[event]) handlers[event](data);
      } finally {
        ws.send("ack");
      }
    };
    ws.onclose = (ev) => {
      if (this.events !== ws || ev.code === 1000) return;
      if (ev.code === 4404 || retries <= 0) handlers.lost(failure ? failure.error : null);
      else setTimeout(() => this.listen(handlers, retries - 1), 1000);
    };
    this.events = ws;
    return ws;
  }
}
