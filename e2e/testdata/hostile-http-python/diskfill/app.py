import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def answer():
    """The answer only if it could write outside /tmp."""
    chunk = b"\x01" * (1 << 20)
    try:
        with open("/tmp/fill", "wb") as f:
            while True:
                f.write(chunk)
    except OSError:
        pass
    for p in ["/fill", "/work/fill", "/etc/fill", "/usr/lib/python3/fill", "/opt/grader/fill"]:
        try:
            with open(p, "wb") as f:
                f.write(chunk)
            return {"answer": 42, "how": "wrote " + p}
        except OSError:
            pass
    return {"answer": 0}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body = b"{}"
        elif self.path == "/answer":
            body = json.dumps(answer()).encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
