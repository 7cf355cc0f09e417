"""The blog API of README.md. Mutant: the page query joins the tags to filter
them, with an inner join: a post without tags is left out of the feed.
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
    # One query for the page: the posts and their authors. An empty tag
    # filters nothing.
    rows = query(
        "SELECT p.id, p.title, p.published_at, a.id, a.name"
        " FROM posts p JOIN authors a ON a.id = p.author_id"
        " WHERE EXISTS ("
        "   SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id"
        "   WHERE pt.post_id = p.id AND (%(tag)s = '' OR t.name = %(tag)s))"
        " ORDER BY p.published_at DESC, p.id DESC LIMIT %(limit)s",
        {"tag": request.args.get("tag", ""), "limit": limit},
    )
    posts = [
        {
            "id": post_id,
            "title": title,
            "published_at": rfc3339(published),
            "author": {"id": author_id, "name": name},
            "tags": [],
            "comment_count": 0,
        }
        for post_id, title, published, author_id, name in rows
    ]
    by_id = {p["id"]: p for p in posts}
    ids = list(by_id)
    # One query for the tags of every post of the page.
    for post_id, tag in query(
        "SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id"
        " WHERE pt.post_id = ANY(%s::bigint[]) ORDER BY pt.post_id, t.name",
        (ids,),
    ):
        by_id[post_id]["tags"].append(tag)
    # One query, one pass over comments, for every count of the page.
    for post_id, count in query(
        "SELECT post_id, count(*) FROM comments WHERE post_id = ANY(%s::bigint[]) GROUP BY post_id",
        (ids,),
    ):
        by_id[post_id]["comment_count"] = count
    return jsonify({"posts": posts})


@app.get("/authors")
def list_authors():
    """Every author by name, with how many posts they wrote and their newest one, in one query."""
    rows = query(
        "SELECT a.id, a.name,"
        "   (SELECT count(*) FROM posts p WHERE p.author_id = a.id),"
        "   latest.id, latest.title"
        " FROM authors a"
        " LEFT JOIN LATERAL ("
        "   SELECT id, title FROM posts p WHERE p.author_id = a.id"
        "   ORDER BY p.published_at DESC, p.id DESC LIMIT 1) latest ON true"
        " ORDER BY a.name, a.id"
    )
    authors = [
        {
            "id": author_id,
            "name": name,
            "post_count": count,
            "latest_post": {"id": latest_id, "title": latest_title} if latest_id is not None else None,
        }
        for author_id, name, count, latest_id, latest_title in rows
    ]
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
