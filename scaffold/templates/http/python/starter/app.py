"""A small JSON API of items; README.md has the contract.

This starter answers the health check; every other route answers 501
until you build it. You may use the standard library and Flask (or
FastAPI with uvicorn), which the grader has offline.
"""
import os

from flask import Flask, jsonify, request

app = Flask(__name__)


def todo():
    return jsonify({"error": request.method + " " + request.path + " is not built yet"}), 501


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


# TODO: store the item and answer 201 with it; a body without a name is a 400.
@app.post("/items")
def create():
    return todo()


# TODO: answer the item, or 404.
@app.get("/items/<item_id>")
def read(item_id):
    return todo()


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
