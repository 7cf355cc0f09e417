"""A small JSON API of items; README.md has the contract.

This is the reference solution.
"""
import os
import threading

from flask import Flask, jsonify, request

app = Flask(__name__)
lock = threading.Lock()
items = {}
last_id = 0


def error(status, message):
    """The API's error body: {"error": "..."}."""
    return jsonify({"error": message}), status


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


@app.post("/items")
def create():
    global last_id
    body = request.get_json(silent=True)
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name:
        return error(400, "send a JSON body with a name")
    with lock:
        last_id += 1
        item = {"id": str(last_id), "name": name}
        items[item["id"]] = item
    return jsonify(item), 201


@app.get("/items/<item_id>")
def read(item_id):
    with lock:
        item = items.get(item_id)
    if item is None:
        return error(404, "no such item")
    return jsonify(item)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
