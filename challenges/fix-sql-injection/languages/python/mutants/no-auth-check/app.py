"""The notes API of README.md, kept in the Postgres database DATABASE_URL names.

A mutant: the queries are safe, but anyone may read anyone's private
note.
"""
import os
import threading
from functools import wraps

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)
db = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
db_lock = threading.Lock()

NOTE_COLUMNS = "n.id, u.name, n.title, n.body, n.private"


def query(sql, params=()):
    """Runs sql with its parameters bound and returns every row."""
    with db_lock:
        return db.execute(sql, params).fetchall()


def error(status, message):
    """The API's error body: {"error": "..."}."""
    return jsonify({"error": message}), status


def as_note(row):
    return {"id": row[0], "owner": row[1], "title": row[2], "body": row[3], "private": row[4]}


def authed(handler):
    """Answers 401 unless the request carries the token of a user."""

    @wraps(handler)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header[len("Bearer "):] if header.startswith("Bearer ") else ""
        if not token:
            return error(401, "send Authorization: Bearer <token>")
        rows = query("SELECT id, name FROM users WHERE token = %s", (token,))
        if not rows:
            return error(401, "unknown token")
        return handler(rows[0], *args, **kwargs)

    return wrapper


@app.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@app.get("/notes")
@authed
def list_notes(me):
    owner = request.args.get("owner", "")
    if not owner:
        return error(400, "name the owner: GET /notes?owner=<name>")
    q = request.args.get("q", "")
    rows = query(
        f"SELECT {NOTE_COLUMNS} FROM notes n JOIN users u ON u.id = n.owner_id"
        " WHERE u.name = %s AND (NOT n.private OR n.owner_id = %s)"
        " AND strpos(lower(n.title), lower(%s)) > 0 ORDER BY n.id",
        (owner, me[0], q),
    )
    return jsonify({"notes": [as_note(r) for r in rows]})


@app.post("/notes")
@authed
def create_note(me):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error(400, 'send a JSON body with a title: {"title": "...", "body": "...", "private": false}')
    title, body, private = data.get("title"), data.get("body", ""), data.get("private", False)
    if not isinstance(title, str) or not title.strip() or not isinstance(body, str) or not isinstance(private, bool):
        return error(400, 'send a JSON body with a title: {"title": "...", "body": "...", "private": false}')
    rows = query(
        "INSERT INTO notes (owner_id, title, body, private) VALUES (%s, %s, %s, %s) RETURNING id",
        (me[0], title, body, private),
    )
    return jsonify({"id": rows[0][0], "owner": me[1], "title": title, "body": body, "private": private}), 201


@app.get("/notes/<note_id>")
@authed
def read_note(me, note_id):
    try:
        nid = int(note_id)
    except ValueError:
        return error(404, "no such note")
    if not 0 < nid < 2**63:
        return error(404, "no such note")
    rows = query(
        f"SELECT {NOTE_COLUMNS} FROM notes n JOIN users u ON u.id = n.owner_id"
        " WHERE n.id = %s",
        (nid,),
    )
    if not rows:
        return error(404, "no such note")
    return jsonify(as_note(rows[0]))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
