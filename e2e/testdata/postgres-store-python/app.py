# The postgres-store reference in Python (psycopg 3, the python image's
# driver), with GET /attack: what the learner's role may do beyond its own
# database, each attempt answered true when it worked.
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

import psycopg

URL = os.environ["DATABASE_URL"]
conn = psycopg.connect(URL, autocommit=True)


def worked(fn):
    try:
        fn()
        return True
    except Exception:
        return False


def as_user(user, db="app"):
    u = urlsplit(URL)
    netloc = f"{user}:{u.password}@{u.hostname}:{u.port}"
    return urlunsplit((u.scheme, netloc, "/" + db, u.query, ""))


def attacks():
    def program():
        with psycopg.connect(URL, autocommit=True) as c:
            c.execute("COPY (SELECT 1) TO PROGRAM 'id'")

    def read_file():
        with psycopg.connect(URL, autocommit=True) as c:
            c.execute("SELECT pg_read_file('/proc/1/environ')")

    def superuser():
        with psycopg.connect(URL, autocommit=True) as c:
            c.execute("ALTER ROLE app SUPERUSER")

    return {
        "grader_with_app_password": worked(lambda: psycopg.connect(as_user("grader")).close()),
        "grader_without_password": worked(lambda: psycopg.connect(f"host=127.0.0.1 port=5432 user=grader dbname=app").close()),
        "other_database": worked(lambda: psycopg.connect(as_user("app", "template1")).close()),
        "copy_to_program": worked(program),
        "read_server_file": worked(read_file),
        "become_superuser": worked(superuser),
    }


class Handler(BaseHTTPRequestHandler):
    def send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/healthz":
            return self.send(200, {})
        if self.path == "/attack":
            return self.send(200, attacks())
        if self.path.startswith("/items/"):
            try:
                item_id = int(self.path[len("/items/"):])
            except ValueError:
                return self.send(404, {})
            row = conn.execute("SELECT id, name FROM items WHERE id = %s", (item_id,)).fetchone()
            if row is None:
                return self.send(404, {})
            return self.send(200, {"id": row[0], "name": row[1]})
        self.send(404, {})

    def do_POST(self):
        if self.path != "/items":
            return self.send(404, {})
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        name = body.get("name")
        if not name:
            return self.send(400, {"error": "want a name"})
        (item_id,) = conn.execute("INSERT INTO items (name) VALUES (%s) RETURNING id", (name,)).fetchone()
        self.send(201, {"id": item_id, "name": name})

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("", int(os.environ["PORT"])), Handler).serve_forever()
