"""A product catalogue kept in Postgres, listed page by page with opaque
cursors; README.md has the contract.

This is the reference solution.
"""
import base64
import binascii
import json
import os
from datetime import datetime, timezone

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)

DATABASE_URL = os.environ["DATABASE_URL"]
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_TEXT = 100
MAX_PRICE = 1_000_000_000

# Each accepted sort: the column it orders by and whether descending.
# Ties are always broken by id ascending.
SORTS = {
    "id": ("id", False),
    "price": ("price_cents", False),
    "-price": ("price_cents", True),
    "created_at": ("created_at", False),
    "-created_at": ("created_at", True),
}
COLUMNS = "id, name, category, price_cents, created_at"


def connect():
    """A connection for one request: leaving its with block commits, or
    rolls back on an exception."""
    return psycopg.connect(DATABASE_URL)


def utc(ts):
    """An RFC 3339 timestamp in UTC."""
    return ts.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def product(row):
    return {"id": row[0], "name": row[1], "category": row[2],
            "price_cents": row[3], "created_at": utc(row[4])}


def error(status, message):
    """The API's error body: {"error": "..."}."""
    return jsonify({"error": message}), status


def encode_cursor(sort, key, last_id):
    """next_cursor: base64url JSON of the sort, the last item's key and id."""
    raw = json.dumps({"s": sort, "k": key, "i": last_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text, column):
    """Returns (sort, key, id) of a cursor, or raises ValueError."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        c = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as e:
        raise ValueError(str(e)) from e
    if not isinstance(c, dict) or not isinstance(c.get("s"), str) or type(c.get("i")) is not int:
        raise ValueError("not a cursor")
    key = c.get("k")
    if column == "created_at":
        key = datetime.fromisoformat(str(key))
    elif type(key) is not int:
        raise ValueError("not a cursor")
    return c["s"], key, c["i"]


def like_pattern(q):
    """Matches q anywhere, with LIKE's wildcards taken literally."""
    q = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + q + "%"


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


@app.get("/products")
def list_products():
    args = request.args
    limit = DEFAULT_LIMIT
    if "limit" in args:
        text = args["limit"]
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
            return error(400, "limit must be a whole number from 1 to %d, got %r" % (MAX_LIMIT, text))
        limit = int(text)
    sort = args.get("sort", "id")
    if sort not in SORTS:
        return error(400, "sort must be one of id, price, -price, created_at, -created_at, got %r" % sort)
    column, desc = SORTS[sort]

    where, params = [], []
    if args.get("category"):
        where.append("category = %s")
        params.append(args["category"])
    if args.get("q"):
        where.append("name ILIKE %s")
        params.append(like_pattern(args["q"]))
    if "cursor" in args:
        try:
            made_for, key, last_id = decode_cursor(args["cursor"], column)
        except ValueError:
            return error(400, "cursor is not valid: send next_cursor from a previous page as it is")
        if made_for != sort:
            return error(400, "cursor was made for sort=%s: send the same sort with it" % made_for)
        if column == "id":
            where.append("id > %s")
            params.append(last_id)
        else:
            op = "<" if desc else ">"
            where.append("(%s %s %%s OR (%s = %%s AND id > %%s))" % (column, op, column))
            params += [key, key, last_id]

    sql = "SELECT " + COLUMNS + " FROM products"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY " + column + (" DESC" if desc else "") + ("" if column == "id" else ", id")
    # One row more than the page tells whether there is a next page.
    sql += " LIMIT %s"
    params.append(limit + 1)
    with connect() as conn:
        rows = conn.execute(sql, params).fetchall()

    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        key = {"id": last[0], "price_cents": last[3], "created_at": last[4].isoformat()}[column]
        next_cursor = encode_cursor(sort, key, last[0])
    return jsonify({"items": [product(r) for r in rows], "next_cursor": next_cursor})


def text_field(body, name):
    """Reads a required non-blank string; returns (value, problem)."""
    if name not in body:
        return None, name + " is required"
    value = body[name]
    if not isinstance(value, str):
        return None, name + " must be a string"
    if not value.strip():
        return None, name + " must not be empty"
    if len(value) > MAX_TEXT:
        return None, "%s must be at most %d characters" % (name, MAX_TEXT)
    return value, None


@app.post("/products")
def create():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "send a JSON object with name, category and price_cents")
    name, problem = text_field(body, "name")
    category = None
    if not problem:
        category, problem = text_field(body, "category")
    price = body.get("price_cents")
    if not problem:
        if "price_cents" not in body:
            problem = "price_cents is required"
        elif type(price) is not int or not 0 <= price <= MAX_PRICE:
            problem = "price_cents must be a whole number of cents from 0 to %d" % MAX_PRICE
    if problem:
        return error(400, problem)
    with connect() as conn:
        row = conn.execute(
            "INSERT INTO products (name, category, price_cents) VALUES (%s, %s, %s) RETURNING " + COLUMNS,
            (name, category, price)).fetchone()
    return jsonify(product(row)), 201


@app.errorhandler(404)
def not_found(_):
    return error(404, "no such route")


@app.errorhandler(psycopg.Error)
def database_error(e):
    app.logger.error("database: %s", e)
    return error(500, "database error")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
