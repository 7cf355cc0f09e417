"""Accepts small computing jobs over HTTP and works through them in the
background, one at a time, with the queue and every job's state kept in
Redis (see README.md)."""
import json
import math
import os
import sys
import threading
import time

import redis
from flask import Flask, Response, request

app = Flask(__name__)
host, _, port = os.environ.get("REDIS_ADDR", "localhost:6379").rpartition(":")
# redis-py connects lazily, on the first command: Redis may start a moment later.
rdb = redis.Redis(host=host, port=int(port), decode_responses=True)

try:
    MAX_ATTEMPTS = int(os.environ.get("MAX_ATTEMPTS", ""))
except ValueError:
    MAX_ATTEMPTS = 3
if MAX_ATTEMPTS < 1:
    MAX_ATTEMPTS = 3

# A job waits in QUEUED (pushed on the left, taken from the right) and sits
# in PROCESSING while the worker runs it, so a job that was running when the
# service stopped is queued again when it starts.
NEXT_ID = "jobs:next-id"
QUEUED = "jobs:queued"
PROCESSING = "jobs:processing"
OPS = ("sum", "product", "divide")


def job_key(job_id):
    """The Redis hash holding one job."""
    return "job:" + job_id


def json_response(status, value, headers=None):
    return Response(json.dumps(value), status=status, content_type="application/json", headers=headers)


def error(status, message):
    return json_response(status, {"error": message})


def is_number(v):
    # bool is an int in Python, but true is not a JSON number; 1e400 reads
    # as inf, which is not a number either.
    return isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) <= sys.float_info.max


def whole_field(body, name, top):
    """The optional whole-number field name, between 0 and top; 0 when missing."""
    v = body.get(name, 0)
    if v is None:
        return 0
    if not is_number(v) or v != int(v) or v < 0 or v > top:
        raise ValueError("%s must be a whole number from 0 to %d" % (name, top))
    return int(v)


def parse_job(raw):
    """Checks a submitted body; returns the job's fields or raises ValueError."""
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    op = body.get("op")
    if op not in OPS:
        raise ValueError('op must be "sum", "product" or "divide"')
    numbers = body.get("numbers")
    if not isinstance(numbers, list) or not 1 <= len(numbers) <= 100 or not all(is_number(n) for n in numbers):
        raise ValueError("numbers must be a list of 1 to 100 numbers")
    return {
        "op": op,
        "numbers": numbers,
        "delay_ms": whole_field(body, "delay_ms", 5000),
        "fail_times": whole_field(body, "fail_times", 10),
    }


def load(job_id):
    """One job as the API shows it, with its run settings; None if unknown."""
    h = rdb.hgetall(job_key(job_id))
    if h is None:
        return None
    job = {
        "id": h["id"],
        "status": h["status"],
        "op": h["op"],
        "numbers": json.loads(h["numbers"]),
        "attempts": int(h["attempts"]),
    }
    if "result" in h:
        job["result"] = json.loads(h["result"])
    if "error" in h:
        job["error"] = h["error"]
    return job, int(h["delay_ms"]), int(h["fail_times"])


@app.get("/healthz")
def health():
    return json_response(200, {"status": "ok"})


@app.post("/jobs")
def submit():
    try:
        fields = parse_job(request.get_data())
    except ValueError as e:
        return error(400, str(e))
    job_id = str(rdb.incr(NEXT_ID))
    job = {"id": job_id, "status": "queued", "op": fields["op"], "numbers": fields["numbers"], "attempts": 0}
    pipe = rdb.pipeline(transaction=True)
    pipe.hset(job_key(job_id), mapping={
        "id": job_id, "status": "queued", "op": fields["op"], "numbers": json.dumps(fields["numbers"]),
        "attempts": 0, "delay_ms": fields["delay_ms"], "fail_times": fields["fail_times"],
    })
    pipe.lpush(QUEUED, job_id)
    pipe.execute()
    return json_response(202, job, {"Location": "/jobs/" + job_id})


@app.get("/jobs/<job_id>")
def status(job_id):
    found = load(job_id)
    if found is None:
        return error(404, "no job with this id")
    return json_response(200, found[0])


def compute(op, numbers):
    """A job's result; raises ValueError with the job's error when it fails."""
    v = numbers[0]
    for n in numbers[1:]:
        if op == "sum":
            v += n
        elif op == "product":
            v *= n
        else:
            if n == 0:
                raise ValueError("division by zero")
            v /= n
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("result out of range")
    if isinstance(v, int) and abs(v) > sys.float_info.max:
        raise ValueError("result out of range")
    return v


def run(job_id):
    """Makes one attempt at a job the worker took from the queue and records how it went."""
    attempt = rdb.hincrby(job_key(job_id), "attempts", 1)
    rdb.hset(job_key(job_id), "status", "running")
    job, delay_ms, fail_times = load(job_id)
    time.sleep(delay_ms / 1000)
    failure = None
    try:
        result = compute(job["op"], job["numbers"])
    except ValueError as e:
        failure = str(e)
    if attempt <= fail_times:
        failure = "simulated failure"
    pipe = rdb.pipeline(transaction=True)
    if failure is None:
        pipe.hset(job_key(job_id), mapping={"status": "done", "result": json.dumps(result)})
    elif attempt < MAX_ATTEMPTS:
        pipe.hset(job_key(job_id), "status", "queued")
        pipe.lpush(QUEUED, job_id)
    else:
        pipe.hset(job_key(job_id), mapping={"status": "failed", "error": failure})
    pipe.lrem(PROCESSING, 1, job_id)
    pipe.execute()


def work():
    """Takes jobs from the queue one at a time, forever. Jobs a previous run
    left in PROCESSING go back to the front of the queue first."""
    while True:
        try:
            if rdb.lmove(PROCESSING, QUEUED, "RIGHT", "RIGHT") is None:
                break
        except redis.RedisError as e:
            print("requeue:", e, flush=True)
            time.sleep(0.2)
    while True:
        try:
            job_id = rdb.blmove(QUEUED, PROCESSING, 1, "RIGHT", "LEFT")
            if job_id is not None:
                run(job_id)
        except redis.RedisError as e:
            print("worker:", e, flush=True)
            time.sleep(0.2)


if __name__ == "__main__":
    threading.Thread(target=work, daemon=True).start()
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
