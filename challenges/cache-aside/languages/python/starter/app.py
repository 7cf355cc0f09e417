"""Items served from a slow upstream. It works, but every read waits for
the upstream: add a cache (see README.md).

The grader gives you REDIS_ADDR (a Redis you may use, host:port) and
CACHE_TTL (how long a cached item may be served, a Go duration such as
1s). You may use the standard library, Flask and redis-py (`import
redis`), which the grader has offline.
"""
import os
import urllib.error
import urllib.request

from flask import Flask, Response, request

app = Flask(__name__)
UPSTREAM = os.environ.get("UPSTREAM_URL", "")


def json_response(status, body):
    return Response(body, status=status, content_type="application/json")


def call(method, item_id, body=None):
    """Sends one request to the upstream; returns its status and body."""
    req = urllib.request.Request(UPSTREAM + "/items/" + item_id, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


UNAVAILABLE = b'{"error":{"code":"upstream","message":"upstream unavailable"}}'


@app.get("/healthz")
def health():
    return json_response(200, b'{"status":"ok"}')


@app.get("/items/<item_id>")
def get_item(item_id):
    # TODO: answer from the cache when the item is there; otherwise read it
    # from the upstream and cache the 200 answer for CACHE_TTL.
    try:
        status, body = call("GET", item_id)
    except OSError:
        return json_response(502, UNAVAILABLE)
    return json_response(status, body)


@app.put("/items/<item_id>")
def put_item(item_id):
    # TODO: when the upstream accepts the write, drop the item's cached answer.
    try:
        status, body = call("PUT", item_id, request.get_data())
    except OSError:
        return json_response(502, UNAVAILABLE)
    return json_response(status, body)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
