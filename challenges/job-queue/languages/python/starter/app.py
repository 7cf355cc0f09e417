"""Accepts small computing jobs over HTTP and works through them in the
background; README.md has the contract. This starter answers the health
check and connects to Redis; every other route answers 501 until you
build it.

The grader gives you REDIS_ADDR (a Redis you may use) and MAX_ATTEMPTS.
You may use the standard library, Flask (or FastAPI) and redis-py."""
import json
import os

import redis
from flask import Flask, Response, request

app = Flask(__name__)
host, _, port = os.environ.get("REDIS_ADDR", "localhost:6379").rpartition(":")
# redis-py connects lazily, on the first command: Redis may start a moment
# later. Keep the queue and every job's state in Redis, so that nothing is
# lost when the service restarts.
rdb = redis.Redis(host=host, port=int(port), decode_responses=True)


def json_response(status, value, headers=None):
    return Response(json.dumps(value), status=status, content_type="application/json", headers=headers)


@app.get("/healthz")
def health():
    return json_response(200, {"status": "ok"})


@app.post("/jobs")
def submit():
    # TODO: check the job (request.get_data()), store and queue it, answer
    # 202 with a Location.
    return json_response(501, {"error": "POST /jobs is not built yet"})


@app.get("/jobs/<job_id>")
def status(job_id):
    # TODO: answer the job with its status, or 404.
    return json_response(501, {"error": "GET /jobs/" + job_id + " is not built yet"})


if __name__ == "__main__":
    # TODO: start one worker thread that takes queued jobs from Redis, oldest
    # first, runs them and records how they went (retrying failures).
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
