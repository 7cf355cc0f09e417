"""Reads items from an upstream that fails now and then; README.md has the
contract. Every call has a deadline, a call that fails for a reason that
may pass is tried again after a growing pause, and a circuit breaker
stops calling an upstream that keeps failing until it has had time to
recover.

A known-wrong solution (mutant no-breaker) for grading the tests.
"""
import os
import threading
import time
import urllib.parse

import requests
from flask import Flask, Response, jsonify

UPSTREAM = os.environ.get("UPSTREAM_URL", "")
CALL_TIMEOUT = 0.3  # seconds, for each call to the upstream
ATTEMPTS = 3  # calls one read may make
BACKOFF = 0.05  # pause before the second call, doubled before each next one
THRESHOLD = 3  # failed reads in a row that open the breaker
COOL_DOWN = 1.0  # seconds the breaker stays open before a trial read

app = Flask(__name__)


class Breaker:
    """A circuit breaker over reads, shared by every id.

    Closed, it lets every read through and counts failed reads in a row;
    at THRESHOLD it opens and refuses reads for COOL_DOWN; then it lets one
    trial read through, which closes it when it succeeds and opens it again
    when it fails.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.failures = 0
        self.open = False
        self.opened_at = 0.0
        self.trying = False

    def allow(self):
        """Returns (ok, trial): may a read call the upstream, and is it the trial."""
        with self.lock:
            if not self.open:
                return True, False
            if self.trying or time.monotonic() - self.opened_at < COOL_DOWN:
                return False, False
            self.trying = True
            return True, True

    def done(self, trial, failed):
        """Records how a read that allow let through ended."""
        with self.lock:
            if trial:
                self.trying = False
            if not failed:
                self.failures, self.open = 0, False
            elif trial:
                self.opened_at = time.monotonic()
            elif not self.open:
                self.failures += 1
                if self.failures >= THRESHOLD:
                    self.open, self.opened_at = True, time.monotonic()


breaker = Breaker()


class Failed(Exception):
    """A call that failed: a 5xx, a broken connection or a timeout."""

    def __init__(self, message, timeout=False):
        super().__init__(message)
        self.timeout = timeout


def call(item_id):
    """Makes one call; returns (status, body) of an answer below 500."""
    url = UPSTREAM + "/items/" + urllib.parse.quote(item_id, safe="")
    try:
        resp = requests.get(url, timeout=CALL_TIMEOUT)
    except requests.Timeout as e:
        app.logger.warning("read %s: %s", item_id, e)
        raise Failed("the upstream did not answer within 300 ms", timeout=True)
    except requests.RequestException as e:
        app.logger.warning("read %s: %s", item_id, e)
        raise Failed("the upstream could not be reached or closed the connection")
    if resp.status_code >= 500 or resp.status_code < 200 or 300 <= resp.status_code < 400:
        raise Failed("the upstream answered %d" % resp.status_code)
    return resp.status_code, resp.content


def get(item_id, tries):
    """Reads item_id with up to tries calls, pausing longer before each retry."""
    pause = BACKOFF
    for i in range(tries):
        if i > 0:
            time.sleep(pause)
            pause *= 2
        try:
            return call(item_id)
        except Failed:
            if i == tries - 1:
                raise


def error(status, code, message):
    """The API's error body: {"error": {"code", "message"}}."""
    return jsonify({"error": {"code": code, "message": message}}), status


@app.get("/healthz")
def health():
    return jsonify({"status": "ok"})


@app.get("/items/<item_id>")
def read(item_id):
    ok, trial = True, False
    if not ok:
        body, status = error(503, "circuit_open", "the upstream keeps failing; not calling it for a moment, try again shortly")
        body.headers["Retry-After"] = "1"
        return body, status
    try:
        status, content = get(item_id, 1 if trial else ATTEMPTS)
    except Failed as e:
        breaker.done(trial, True)
        if e.timeout:
            return error(504, "upstream_timeout", str(e))
        return error(502, "upstream_unavailable", str(e))
    breaker.done(trial, False)
    if status >= 400:
        return error(status, "upstream_rejected", "the upstream refused the read with %d" % status)
    return Response(content, status=200, mimetype="application/json")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
