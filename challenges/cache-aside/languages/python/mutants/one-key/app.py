"""Items served from a slow upstream, cached in Redis (see README.md)."""
import os
import re
import urllib.error
import urllib.request

import redis
from flask import Flask, Response, request

app = Flask(__name__)
UPSTREAM = os.environ.get("UPSTREAM_URL", "")
host, _, port = os.environ.get("REDIS_ADDR", "localhost:6379").rpartition(":")
# redis-py connects lazily, on the first command: Redis may start a moment later.
cache = redis.Redis(host=host, port=int(port))

UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def parse_ttl(text):
    """The seconds in a Go duration such as 1s or 500ms; 1 if unreadable."""
    m = re.fullmatch(r"([0-9.]+)(ms|s|m|h)", text or "")
    seconds = float(m.group(1)) * UNITS[m.group(2)] if m else 0
    return seconds if seconds > 0 else 1


TTL_MS = int(parse_ttl(os.environ.get("CACHE_TTL")) * 1000)


def cache_key(item_id):
    """The Redis key of one item's cached answer."""
    return "item"


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
    try:
        cached = cache.get(cache_key(item_id))
    except redis.RedisError as e:
        app.logger.warning("cache read %s: %s", item_id, e)
        cached = None
    if cached is not None:
        return json_response(200, cached)
    try:
        status, body = call("GET", item_id)
    except OSError:
        return json_response(502, UNAVAILABLE)
    if status == 200:
        try:
            cache.set(cache_key(item_id), body, px=TTL_MS)
        except redis.RedisError as e:
            app.logger.warning("cache write %s: %s", item_id, e)
    return json_response(status, body)


@app.put("/items/<item_id>")
def put_item(item_id):
    try:
        status, body = call("PUT", item_id, request.get_data())
    except OSError:
        return json_response(502, UNAVAILABLE)
    if status < 300:
        try:
            cache.delete(cache_key(item_id))
        except redis.RedisError as e:
            app.logger.warning("cache invalidate %s: %s", item_id, e)
    return json_response(status, body)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
