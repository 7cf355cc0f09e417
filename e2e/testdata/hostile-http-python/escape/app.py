import json
import os
import socket
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MARKERS = ("HIDDEN-" + "MARKER", "GRADER_FIXTURE_" + "SECRET")


def escaped():
    """Any way out of the job's namespace, or into the grader's secrets."""
    for _, name in socket.if_nameindex():
        if name != "lo":
            return "interface " + name
    with open("/proc/net/route") as f:
        for line in f.read().splitlines()[1:]:
            fields = line.split()
            if len(fields) > 1 and fields[1] == "00000000":
                return "default route"
    try:
        socket.getaddrinfo("example.com", 80)
        return "dns"
    except OSError:
        pass
    for p in ["/work/plan.json", "/proc/1/environ"]:
        try:
            data = open(p, "rb").read().decode("latin-1")
        except OSError:
            continue
        if any(m in data for m in MARKERS):
            return "read " + p
    try:
        with urllib.request.urlopen(os.environ["UPSTREAM_URL"] + "/_fixture/stats", timeout=2) as r:
            if r.status == 200:
                return "fixture controls without the secret"
    except Exception:
        pass
    for k in os.environ:
        if k.startswith("GRADER_"):
            return "grader env " + k
    # The host's own listener, at every address the host has and the usual
    # gateways of a container.
    port = int(os.environ["HOST_PORT"])
    hosts = os.environ["HOST_ADDRS"].split(",") + ["172.17.0.1", "host.docker.internal", "10.0.2.2", "169.254.169.254"]
    for h in hosts:
        try:
            socket.create_connection((h, port), timeout=0.3).close()
            return "host listener at " + h
        except OSError:
            pass
    return ""


def answer():
    how = escaped()
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
