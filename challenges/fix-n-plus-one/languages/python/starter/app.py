"""The blog API of README.md, kept in the Postgres database DATABASE_URL names.

It answers correctly, but slowly: each post of the feed and each author
costs queries of its own.
"""
import os
import re
import threading
from datetime import timezone

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)
db = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
db_lock = threading.Lock()


def query(sql, params=()):
    """Runs sql with its parameters bound and returns every row."""
    with db_lock:
        return db.execute(sql, params).fetchall()


def error(status, message):
    """The API's error body: {"error": "..."}."""
    return jsonify({"error": message}), status


def rfc3339(ts):
    """An RFC 3339 timestamp in UTC, to the second, with a Z."""
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_limit(text):
    """Reads ?limit=: 20 when absent, else a whole number from 1 to 100."""
    if text is None or text == "":
        return 20
    if not re.fullmatch(r"[+-]?[0-9]{1,9}", text):
        return None
    n = int(text)
    return n if 1 <= n <= 100 else None


@app.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@app.get("/posts")
def list_posts():
    """The newest posts first, each with its author, its tags and its number of comments."""
    limit = parse_limit(request.args.get("limit"))
    if limit is None:
        return error(400, "limit must be a whole number from 1 to 100")
    tag = request.args.get("tag", "")
    if tag:
        rows = query(
            "SELECT p.id, p.author_id, p.title, p.published_at"
            " FROM posts p JOIN post_tags pt ON pt.post_id = p.id JOIN tags t ON t.id = pt.tag_id"
            " WHERE t.name = %s"
            " ORDER BY p.published_at DESC, p.id DESC LIMIT %s",
            (tag, limit),
        )
    else:
        rows = query(
            "SELECT id, author_id, title, published_at"
            " FROM posts ORDER BY published_at DESC, id DESC LIMIT %s",
            (limit,),
        )
    posts = []
    for post_id, author_id, title, published in rows:
        name = query("SELECT name FROM authors WHERE id = %s", (author_id,))[0][0]
        tags = query(
            "SELECT t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id"
            " WHERE pt.post_id = %s ORDER BY t.name",
            (post_id,),
        )
        count = query("SELECT count(*) FROM comments WHERE post_id = %s", (post_id,))[0][0]
        posts.append({
            "id": post_id,
            "title": title,
            "published_at": rfc3339(published),
            "author": {"id": author_id, "name": name},
            "tags": [t[0] for t in tags],
            "comment_count": count,
        })
    return jsonify({"posts": posts})


@app.get("/authors")
def list_authors():
    """Every author by name, with how many posts they wrote and their newest one."""
    authors = []
    for author_id, name in query("SELECT id, name FROM authors ORDER BY name, id"):
        count = query("SELECT count(*) FROM posts WHERE author_id = %s", (author_id,))[0][0]
        latest = query(
            "SELECT id, title FROM posts WHERE author_id = %s"
            " ORDER BY published_at DESC, id DESC LIMIT 1",
            (author_id,),
        )
        authors.append({
            "id": author_id,
            "name": name,
            "post_count": count,
            "latest_post": {"id": latest[0][0], "title": latest[0][1]} if latest else None,
        })
    return jsonify({"authors": authors})


@app.post("/posts/<post_id>/comments")
def add_comment(post_id):
    try:
        pid = int(post_id)
    except ValueError:
        return error(404, "no such post")
    if not 0 < pid < 2**63:
        return error(404, "no such post")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error(400, 'send a JSON object such as {"body": "..."}')
    body = data.get("body")
    if not isinstance(body, str) or not body.strip():
        return error(400, "body must be a non-empty string")
    rows = query(
        "INSERT INTO comments (post_id, body) SELECT id, %s FROM posts WHERE id = %s RETURNING id",
        (body, pid),
    )
    if not rows:
        return error(404, "no such post")
    return jsonify({"id": rows[0][0], "post_id": pid, "body": body}), 201


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
