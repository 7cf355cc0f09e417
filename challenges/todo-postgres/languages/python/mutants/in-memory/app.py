"""A to-do list; README.md has the contract.

A known-wrong solution: it ignores DATABASE_URL and keeps the todos in a
dict, so the database never sees them, the seeded todos are missing and
everything is lost when the service restarts. Otherwise it follows the
contract.
"""
import os
import threading

from flask import Flask, jsonify, request

app = Flask(__name__)

MAX_TITLE = 100
lock = threading.Lock()
todos = {}
last_id = 0


def error(status, message):
    return jsonify({"error": message}), status


def check(body, new):
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


def taken(title, other_than=None):
    return any(t["title"] == title and t["id"] != other_than for t in todos.values())


def add(fields):
    global last_id
    last_id += 1
    todos[last_id] = {"id": last_id, "title": fields["title"], "done": fields["done"]}
    return dict(todos[last_id])


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


@app.post("/todos")
def create():
    fields, problem = check(request.get_json(silent=True), new=True)
    if problem:
        return error(400, problem)
    with lock:
        if taken(fields["title"]):
            return error(409, "a todo with this title exists already")
        return jsonify(add(fields)), 201


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
    with lock:
        titles = [f["title"] for f in checked]
        if len(set(titles)) < len(titles) or any(taken(t) for t in titles):
            return error(409, "a todo with this title exists already")
        return jsonify({"todos": [add(f) for f in checked]}), 201


@app.get("/todos")
def list_todos():
    done = request.args.get("done")
    if done not in (None, "true", "false"):
        return error(400, "done must be true or false")
    with lock:
        out = [dict(t) for _, t in sorted(todos.items())
               if done is None or t["done"] == (done == "true")]
    return jsonify({"todos": out})


@app.get("/todos/<int:todo_id>")
def read(todo_id):
    with lock:
        t = todos.get(todo_id)
        if t is None:
            return error(404, "no todo %d" % todo_id)
        return jsonify(t)


@app.patch("/todos/<int:todo_id>")
def update(todo_id):
    fields, problem = check(request.get_json(silent=True), new=False)
    if problem:
        return error(400, problem)
    with lock:
        t = todos.get(todo_id)
        if t is None:
            return error(404, "no todo %d" % todo_id)
        if "title" in fields and taken(fields["title"], todo_id):
            return error(409, "a todo with this title exists already")
        t.update(fields)
        return jsonify(t)


@app.delete("/todos/<int:todo_id>")
def delete(todo_id):
    with lock:
        if todos.pop(todo_id, None) is None:
            return error(404, "no todo %d" % todo_id)
    return "", 204


@app.errorhandler(404)
def not_found(_):
    return error(404, "no such route or todo")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
