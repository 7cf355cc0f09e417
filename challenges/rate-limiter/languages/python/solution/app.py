"""A small JSON API of quotes with a per-client rate limit; README.md has
the contract.

This is the reference solution.
"""
import math
import os
import threading
import time

from flask import Flask, g, jsonify, request

QUOTES = [
    {"id": 1, "text": "Simplicity is prerequisite for reliability.", "author": "Edsger W. Dijkstra"},
    {"id": 2, "text": "Premature optimization is the root of all evil.", "author": "Donald Knuth"},
    {"id": 3, "text": "Make it work, make it right, make it fast.", "author": "Kent Beck"},
]


def env_int(name, default):
    """A positive whole number from the environment, or default."""
    try:
        n = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return n if n >= 1 else default


LIMIT = env_int("RATE_LIMIT", 5)
WINDOW = env_int("RATE_WINDOW_SECONDS", 4)


class Limiter:
    """Allows each client at most `limit` requests per fixed window of
    `window` seconds, the window opening at the client's first request."""

    def __init__(self, limit, window):
        self.limit = limit
        self.window = window
        self.lock = threading.Lock()  # Flask serves requests on threads
        self.windows = {}  # client id -> [start, count]
        self.last_sweep = 0.0

    def take(self, client, now):
        """Counts one request of client, if it is allowed. Returns whether it
        is, how many more the client may make in its window, and, when it is
        not allowed, the whole seconds until the window closes (at least 1)."""
        with self.lock:
            self._sweep(now)
            w = self.windows.get(client)
            if w is None or now - w[0] >= self.window:
                w = [now, 0]
                self.windows[client] = w
            if w[1] >= self.limit:
                return False, 0, max(1, math.ceil(w[0] + self.window - now))
            w[1] += 1
            return True, self.limit - w[1], 0

    def _sweep(self, now):
        """Forgets closed windows, at most once per window length."""
        if now - self.last_sweep < self.window:
            return
        self.last_sweep = now
        for client in [c for c, w in self.windows.items() if now - w[0] >= self.window]:
            del self.windows[client]


app = Flask(__name__)
limiter = Limiter(LIMIT, WINDOW)


def error(status, code, message):
    """The API's error body: {"error": {"code": ..., "message": ...}}."""
    return jsonify({"error": {"code": code, "message": message}}), status


@app.before_request
def rate_limit():
    if request.path == "/healthz":
        return None  # never limited
    client = request.headers.get("X-Client-Id", "").strip()
    if not client:
        return error(400, "missing_client_id", "send your client id in the X-Client-Id header")
    allowed, remaining, retry_after = limiter.take(client, time.monotonic())
    g.rate_headers = {"X-RateLimit-Limit": str(LIMIT), "X-RateLimit-Remaining": str(remaining)}
    if not allowed:
        g.rate_headers["Retry-After"] = str(retry_after)
        message = "at most %d requests every %d s per client; retry in Retry-After seconds" % (LIMIT, WINDOW)
        return error(429, "rate_limited", message)
    return None


@app.after_request
def add_rate_headers(resp):
    for name, value in g.get("rate_headers", {}).items():
        resp.headers[name] = value
    return resp


@app.get("/healthz")
def health():
    return jsonify({"status": "ok"})


@app.get("/quotes")
def list_quotes():
    return jsonify({"quotes": QUOTES})


@app.get("/quotes/<quote_id>")
def get_quote(quote_id):
    for q in QUOTES:
        if str(q["id"]) == quote_id:
            return jsonify(q)
    return error(404, "not_found", "no quote with this id")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
