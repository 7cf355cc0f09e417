"""Notes API: a JSON REST API for notes; README.md has the contract.

This starter answers the health check and an (always empty) list; every
other route answers 501 until you build it. You may use the standard
library and Flask (or FastAPI with uvicorn), which the grader has offline.
"""
import os

from flask import Flask, jsonify, request

app = Flask(__name__)


def error(status, code, message):
    """The API's error body: {"error": {"code": ..., "message": ...}}."""
    return jsonify({"error": {"code": code, "message": message}}), status


def todo():
    return error(501, "not_implemented", request.method + " " + request.path + " is not built yet")


@app.get("/healthz")
def health():
    return jsonify({"status": "ok"})


@app.get("/notes")
def list_notes():
    # TODO: list the stored notes, oldest first, honouring limit and offset.
    return jsonify({"items": [], "total": 0, "limit": 10, "offset": 0})


# TODO: validate the body and store the note; answer 201 with it.
@app.post("/notes")
def create():
    return todo()


# TODO: read, replace and delete one note.
@app.route("/notes/<note_id>", methods=["GET", "PUT", "DELETE"])
def one(note_id):
    return todo()


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
