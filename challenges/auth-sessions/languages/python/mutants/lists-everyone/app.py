"""Accounts, sessions and private notes as a JSON API; README.md has the contract.

This is a known-wrong solution: GET /notes lists every user's notes.
"""
import hashlib
import hmac
import os
import re
import secrets
import threading
import time

from flask import Flask, jsonify, request

ITERATIONS = 100_000  # PBKDF2-HMAC-SHA256 rounds
MIN_PASSWORD = 8
USERNAME = re.compile(r"[a-z0-9_]{3,32}")

app = Flask(__name__)
lock = threading.Lock()
users = {}  # username -> {"username", "role", "salt", "hash"}, oldest first
sessions = {}  # token -> (username, expiry on the time.monotonic() clock)
notes = {}  # id -> note, oldest first
last_note = 0
TTL = int(os.environ.get("TOKEN_TTL_SECONDS") or "3600")


def hash_password(password, salt):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)


DUMMY_SALT = secrets.token_bytes(16)
DUMMY_HASH = hash_password("dummy password", DUMMY_SALT)


def public(user):
    """What the API shows of an account: never the salt or the hash."""
    return {"username": user["username"], "role": user["role"]}


def add_user(username, password, role):
    """Stores a new account; None when the username is taken."""
    salt = secrets.token_bytes(16)
    user = {"username": username, "role": role, "salt": salt, "hash": hash_password(password, salt)}
    with lock:
        if username in users:
            return None
        users[username] = user
    return user


def error(status, code, message):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def credentials():
    """Returns (username, password, None) or (None, None, an error response)."""
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        return None, None, error(400, "validation_failed", "send a JSON object with a username and a password")
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return None, None, error(400, "validation_failed", "username and password are required, as strings")
    return username, password, None


def caller():
    """Returns (user, token, None) for a valid session, or (None, None, a 401)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or not token:
        return None, None, error(401, "unauthorized", "send Authorization: Bearer <token>; log in at POST /login")
    with lock:
        session = sessions.get(token)
        if session is not None and time.monotonic() >= session[1]:
            del sessions[token]
            session = None
        user = users.get(session[0]) if session else None
    if user is None:
        return None, None, error(401, "unauthorized", "the token is unknown, expired or logged out; log in again")
    return user, token, None


@app.get("/healthz")
def health():
    return jsonify({"status": "ok"})


@app.post("/signup")
def signup():
    username, password, failed = credentials()
    if failed:
        return failed
    if not USERNAME.fullmatch(username):
        return error(400, "validation_failed", "username must be 3 to 32 characters among a-z, 0-9 and _")
    if len(password) < MIN_PASSWORD:
        return error(400, "validation_failed", "password must be at least 8 characters")
    user = add_user(username, password, "user")
    if user is None:
        return error(409, "username_taken", "username " + username + " is taken")
    return jsonify(public(user)), 201


@app.post("/login")
def login():
    username, password, failed = credentials()
    if failed:
        return failed
    with lock:
        user = users.get(username)
    salt, want = (user["salt"], user["hash"]) if user else (DUMMY_SALT, DUMMY_HASH)
    # Hash even for an unknown user, so both take the same time.
    match = hmac.compare_digest(hash_password(password, salt), want)
    if user is None or not match:
        return error(401, "invalid_credentials", "invalid username or password")
    token = secrets.token_hex(32)
    with lock:
        sessions[token] = (username, time.monotonic() + TTL)
    return jsonify({"token": token, "token_type": "Bearer", "expires_in": TTL})


@app.post("/logout")
def logout():
    _, token, failed = caller()
    if failed:
        return failed
    with lock:
        sessions.pop(token, None)
    return "", 204


@app.get("/me")
def me():
    user, _, failed = caller()
    if failed:
        return failed
    return jsonify(public(user))


@app.post("/notes")
def create_note():
    global last_note
    user, _, failed = caller()
    if failed:
        return failed
    data = request.get_json(force=True, silent=True)
    title = data.get("title") if isinstance(data, dict) else None
    body = data.get("body", "") if isinstance(data, dict) else None
    if not isinstance(title, str) or not title or not isinstance(body, str):
        return error(400, "validation_failed", "send a JSON object with a non-empty title (and an optional body)")
    with lock:
        last_note += 1
        note = {"id": str(last_note), "owner": user["username"], "title": title, "body": body}
        notes[note["id"]] = note
    return jsonify(note), 201


@app.get("/notes")
def list_notes():
    user, _, failed = caller()
    if failed:
        return failed
    with lock:
        mine = list(notes.values())
    return jsonify({"notes": mine})


@app.get("/notes/<note_id>")
def read_note(note_id):
    user, _, failed = caller()
    if failed:
        return failed
    with lock:
        note = notes.get(note_id)
    if note is None:
        return error(404, "not_found", "no note with id " + note_id)
    if note["owner"] != user["username"]:
        return error(403, "forbidden", "this note belongs to someone else")
    return jsonify(note)


@app.get("/admin/users")
def list_users():
    user, _, failed = caller()
    if failed:
        return failed
    if user["role"] != "admin":
        return error(403, "forbidden", "only admins may list the accounts")
    with lock:
        everyone = [public(u) for u in users.values()]
    return jsonify({"users": everyone})


if os.environ.get("ADMIN_USERNAME"):
    add_user(os.environ["ADMIN_USERNAME"], os.environ.get("ADMIN_PASSWORD", ""), "admin")

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
