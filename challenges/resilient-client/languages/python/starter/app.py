"""Reads items from an upstream service; README.md has the contract.

This starter is a plain proxy: it passes every upstream answer on, waits
as long as the upstream takes and never tries again. Make it a resilient
client: a timeout on every call, retries with backoff, and a circuit
breaker.
"""
import os
import urllib.parse

import requests
from flask import Flask, Response, jsonify

UPSTREAM = os.environ.get("UPSTREAM_URL", "")

app = Flask(__name__)


@app.get("/healthz")
def health():
    return jsonify({"status": "ok"})


@app.get("/items/<item_id>")
def read(item_id):
    # TODO: give every call a timeout of 300 ms; retry failed calls (5xx,
    # broken connections, timeouts) with backoff, never a 4xx; answer
    # errors as the README says; add the circuit breaker.
    url = UPSTREAM + "/items/" + urllib.parse.quote(item_id, safe="")
    try:
        resp = requests.get(url)
    except requests.RequestException as e:
        app.logger.warning("read %s: %s", item_id, e)
        return jsonify({"error": {"code": "upstream_unavailable", "message": "the upstream could not be reached"}}), 502
    return Response(resp.content, status=resp.status_code, mimetype="application/json")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
