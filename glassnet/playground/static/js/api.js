// Talking to the server: JSON commands (POST) and the event stream (SSE).
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

  // handlers: {data(msg), frame(msg), failure(msg), lost()}
  listen(handlers) {
    const es = new EventSource(`/api/events?session=${encodeURIComponent(this.id)}`);
    for (const name of ["data", "frame", "failure"]) {
      es.addEventListener(name, (ev) => handlers[name](JSON.parse(ev.data)));
    }
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) handlers.lost(); };
    this.events = es;
    return es;
  }
}
