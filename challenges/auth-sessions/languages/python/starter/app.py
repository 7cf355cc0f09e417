"""Accounts, sessions and private notes as a JSON API; README.md has the contract.

This starter answers the health check; every other route answers 501
until you build it. You may use the standard library (hashlib, hmac and
secrets have what you need) and Flask (or FastAPI with uvicorn), which
the grader has offline.
"""
import os

from flask import Flask, jsonify, request

app = Flask(__name__)

# TODO: create the admin account from ADMIN_USERNAME and ADMIN_PASSWORD at
# start, storing a salted hash of the password, never the password.


def todo():
    message = request.method + " " + request.path + " is not built yet"
    return jsonify({"error": {"code": "not_implemented", "message": message}}), 501


@app.get("/healthz")
def health():
    return jsonify({"status": "ok"})


# TODO: validate, refuse a taken username with 409, answer 201.
@app.post("/signup")
def signup():
    return todo()


# TODO: answer a new token, or the same 401 for an unknown user and a wrong
# password.
@app.post("/login")
def login():
    return todo()


# TODO: every route below needs "Authorization: Bearer <token>" (401
# without a valid one; 403 when the caller may not).
@app.post("/logout")
def logout():
    return todo()


@app.get("/me")
def me():
    return todo()


@app.post("/notes")
def create_note():
    return todo()


@app.get("/notes")
def list_notes():
    return todo()


@app.get("/notes/<note_id>")
def read_note(note_id):
    return todo()


@app.get("/admin/users")
def list_users():
    return todo()


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
