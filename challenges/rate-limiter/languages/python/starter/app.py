"""A small JSON API of quotes; README.md has the contract.

The API works, but any client may call it as often as it likes: limit each
client (see README.md). The grader gives you RATE_LIMIT (requests allowed
per window) and RATE_WINDOW_SECONDS (the window's length). You may use the
standard library and Flask, which the grader has offline.
"""
import os

from flask import Flask, jsonify

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

app = Flask(__name__)


def error(status, code, message):
    """The API's error body: {"error": {"code": ..., "message": ...}}."""
    return jsonify({"error": {"code": code, "message": message}}), status


# TODO: identify the client by its X-Client-Id header and allow it at most
# LIMIT requests per window of WINDOW seconds, answering 429 with
# Retry-After past that (a @app.before_request hook sees every request).
# The health check stays unlimited. Flask serves requests on threads.


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
