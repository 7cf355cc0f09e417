import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MARKER = "HIDDEN-" + "MARKER"
SKIP = ("/proc", "/sys", "/dev", "/usr", "/lib", "/bin", "/sbin")


def places():
    """The folders the job may have put files in: the usual ones and every mount."""
    seen = ["/work", "/tmp", "/etc", "/opt", "/root", "/home", "/var", "/run", "/srv", "/mnt", "/"]
    with open("/proc/self/mountinfo") as f:
        for line in f:
            seen.append(line.split()[4])
    return seen


def found():
    for top in places():
        if top == "/":
            walk = [("/", [], [n for n in os.listdir("/") if os.path.isfile("/" + n)])]
        elif top.startswith(SKIP):
            continue
        else:
            walk = os.walk(top)
        for root, _, files in walk:
            if root.startswith(SKIP):
                continue
            for name in files:
                p = os.path.join(root, name)
                if name == "plan.json" or "hidden" in name.lower():
                    return "file " + p
                try:
                    if os.path.getsize(p) > 1 << 20:
                        continue
                    with open(p, "rb") as f:
                        if MARKER.encode() in f.read():
                            return "marker in " + p
                except OSError:
                    pass
    return ""


def answer():
    how = found()
    return {"answer": 42, "how": how} if how else {"answer": 0}


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
