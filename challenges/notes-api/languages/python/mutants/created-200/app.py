"""Notes API: a JSON REST API for notes, kept in memory (see README.md)."""
import os
import re
import threading
from datetime import datetime, timezone

from flask import Flask, jsonify, request

app = Flask(__name__)
lock = threading.Lock()
notes = {}  # id -> note, in creation order (dicts keep insertion order)
next_id = 0

WHOLE = re.compile(r"[0-9]+")


def now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error(status, code, message):
    return jsonify({"error": {"code": code, "message": message}}), status


def validate():
    """Returns (title, body, None) or (None, None, an error response)."""
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        return None, None, error(400, "invalid_json", "the body must be a JSON object")
    title, body = data.get("title"), data.get("body")
    if title is not None and not isinstance(title, str):
        return None, None, error(400, "validation_failed", "title must be a string")
    if body is not None and not isinstance(body, str):
        return None, None, error(400, "validation_failed", "body must be a string")
    title = (title or "").strip()
    if not title:
        return None, None, error(400, "validation_failed", "title is required")
    if len(title) > 200:
        return None, None, error(400, "validation_failed", "title must be at most 200 characters")
    return title, body or "", None


def not_found(note_id):
    return error(404, "not_found", "no note with id " + note_id)


@app.get("/healthz")
def health():
    return jsonify({"status": "ok"})


@app.post("/notes")
def create():
    global next_id
    title, body, err = validate()
    if err:
        return err
    with lock:
        next_id += 1
        t = now()
        note = {"id": str(next_id), "title": title, "body": body, "created_at": t, "updated_at": t}
        notes[note["id"]] = note
        return jsonify(note), 200


def query_int(name, default, low, high):
    value = request.args.get(name)
    if value is None:
        return default
    if not WHOLE.fullmatch(value):
        return None
    n = int(value)
    return n if low <= n <= high else None


@app.get("/notes")
def list_notes():
    limit = query_int("limit", 10, 1, 100)
    if limit is None:
        return error(400, "invalid_query", "limit must be a number from 1 to 100")
    offset = query_int("offset", 0, 0, 1 << 62)
    if offset is None:
        return error(400, "invalid_query", "offset must be a number from 0")
    with lock:
        items = list(notes.values())[offset:offset + limit]
        return jsonify({"items": items, "total": len(notes), "limit": limit, "offset": offset})


@app.get("/notes/<note_id>")
def get(note_id):
    with lock:
        note = notes.get(note_id)
        return jsonify(note) if note else not_found(note_id)


@app.put("/notes/<note_id>")
def replace(note_id):
    with lock:
        if note_id not in notes:
            return not_found(note_id)
    title, body, err = validate()
    if err:
        return err
    with lock:
        note = notes.get(note_id)
        if not note:
            return not_found(note_id)
        note.update(title=title, body=body, updated_at=now())
        return jsonify(note)


@app.delete("/notes/<note_id>")
def delete(note_id):
    with lock:
        if notes.pop(note_id, None) is None:
            return not_found(note_id)
    return "", 204


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
