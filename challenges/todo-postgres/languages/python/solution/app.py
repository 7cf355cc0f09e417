"""A to-do list kept in Postgres; README.md has the contract.

This is the reference solution.
"""
import os

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)

DATABASE_URL = os.environ["DATABASE_URL"]
MAX_TITLE = 100


def connect():
    """A connection for one request: leaving its with block commits, or
    rolls back on an exception."""
    return psycopg.connect(DATABASE_URL)


def todo(row):
    return {"id": row[0], "title": row[1], "done": row[2]}


def error(status, message):
    """The API's error body: {"error": "..."}."""
    return jsonify({"error": message}), status


def check(body, new):
    """Checks the fields of a todo; returns (fields, problem). A new todo
    needs a title and is not done unless it says so."""
    if not isinstance(body, dict):
        return None, "send a JSON object"
    fields = {}
    if "title" in body:
        title = body["title"]
        if not isinstance(title, str):
            return None, "title must be a string"
        if not title.strip():
            return None, "title must not be empty"
        if len(title) > MAX_TITLE:
            return None, "title must be at most %d characters" % MAX_TITLE
        fields["title"] = title
    elif new:
        return None, "title is required"
    if "done" in body:
        if not isinstance(body["done"], bool):
            return None, "done must be true or false"
        fields["done"] = body["done"]
    elif new:
        fields["done"] = False
    return fields, None


INSERT = "INSERT INTO todos (title, done) VALUES (%s, %s) RETURNING id, title, done"


@app.errorhandler(psycopg.errors.UniqueViolation)
def duplicate(_):
    return error(409, "a todo with this title exists already")


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


@app.post("/todos")
def create():
    fields, problem = check(request.get_json(silent=True), new=True)
    if problem:
        return error(400, problem)
    with connect() as conn:
        row = conn.execute(INSERT, (fields["title"], fields["done"])).fetchone()
    return jsonify(todo(row)), 201


@app.post("/todos/batch")
def batch():
    body = request.get_json(silent=True)
    items = body.get("todos") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return error(400, 'send {"todos": [...]} with at least one todo')
    checked = []
    for i, item in enumerate(items):
        fields, problem = check(item, new=True)
        if problem:
            return error(400, "todos[%d]: %s" % (i, problem))
        checked.append(fields)
    with connect() as conn, conn.transaction():
        rows = [conn.execute(INSERT, (f["title"], f["done"])).fetchone() for f in checked]
    return jsonify({"todos": [todo(r) for r in rows]}), 201


@app.get("/todos")
def list_todos():
    done = request.args.get("done")
    with connect() as conn:
        if done is None:
            rows = conn.execute("SELECT id, title, done FROM todos ORDER BY id").fetchall()
        elif done in ("true", "false"):
            rows = conn.execute("SELECT id, title, done FROM todos WHERE done = %s ORDER BY id",
                                (done == "true",)).fetchall()
        else:
            return error(400, "done must be true or false")
    return jsonify({"todos": [todo(r) for r in rows]})


@app.get("/todos/<int:todo_id>")
def read(todo_id):
    with connect() as conn:
        row = conn.execute("SELECT id, title, done FROM todos WHERE id = %s", (todo_id,)).fetchone()
    if row is None:
        return error(404, "no todo %d" % todo_id)
    return jsonify(todo(row))


@app.patch("/todos/<int:todo_id>")
def update(todo_id):
    fields, problem = check(request.get_json(silent=True), new=False)
    if problem:
        return error(400, problem)
    with connect() as conn:
        # COALESCE keeps what was not sent.
        row = conn.execute(
            "UPDATE todos SET title = COALESCE(%s, title), done = COALESCE(%s, done)"
            " WHERE id = %s RETURNING id, title, done",
            (fields.get("title"), fields.get("done"), todo_id)).fetchone()
    if row is None:
        return error(404, "no todo %d" % todo_id)
    return jsonify(todo(row))


@app.delete("/todos/<int:todo_id>")
def delete(todo_id):
    with connect() as conn:
        deleted = conn.execute("DELETE FROM todos WHERE id = %s", (todo_id,)).rowcount
    if deleted == 0:
        return error(404, "no todo %d" % todo_id)
    return "", 204


@app.errorhandler(404)
def not_found(_):
    return error(404, "no such route or todo")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
