"""A to-do list kept in Postgres; README.md has the contract.

This starter connects to the database, answers the health check and
GET /todos/<id>; every other route answers 501 until you build it.
You may use Flask (as here) or FastAPI, and psycopg (version 3).
"""
import os

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)

# The grader tells the service where its database is.
DATABASE_URL = os.environ["DATABASE_URL"]


def connect():
    """A connection for one request: leaving its with block commits, or
    rolls back on an exception."""
    return psycopg.connect(DATABASE_URL)


def error(status, message):
    """The API's error body: {"error": "..."}."""
    return jsonify({"error": message}), status


def todo_not_built():
    return error(501, "%s %s is not built yet" % (request.method, request.path))


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


@app.get("/todos/<int:todo_id>")
def read(todo_id):
    with connect() as conn:
        row = conn.execute("SELECT id, title, done FROM todos WHERE id = %s", (todo_id,)).fetchone()
    if row is None:
        return error(404, "no todo %d" % todo_id)
    return jsonify({"id": row[0], "title": row[1], "done": row[2]})


@app.post("/todos")
def create():
    # TODO: check the title (required, 1 to 100 characters) and done, then
    # INSERT ... RETURNING id; a duplicate title is 409.
    return todo_not_built()


@app.post("/todos/batch")
def batch():
    # TODO: every todo of the batch, or none: one transaction.
    return todo_not_built()


@app.get("/todos")
def list_todos():
    # TODO: every todo by id, or only done=true / done=false ones.
    return todo_not_built()


@app.patch("/todos/<int:todo_id>")
def update(todo_id):
    # TODO: change only the fields the body sends.
    return todo_not_built()


@app.delete("/todos/<int:todo_id>")
def delete(todo_id):
    # TODO: 204 without a body, or 404.
    return todo_not_built()


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
