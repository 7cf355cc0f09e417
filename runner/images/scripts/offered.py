"""Print grader/python:local's offered list (runner/images/offered.go).

Run at image build time with the Debian packages the image was asked
for as arguments; everything comes from what is installed: the
importable top-level names of the dist-packages folders, each package's
own names from dpkg's file list, the standard library from
sys.stdlib_module_names.
"""
import json
import os
import pkgutil
import platform
import subprocess
import sys


def third_party_dirs():
    return [p for p in sys.path if p.endswith(("dist-packages", "site-packages")) and os.path.isdir(p)]


def dpkg(*args):
    return subprocess.run(["dpkg-query", *args], capture_output=True, text=True, check=True).stdout


def main(packages):
    dirs = third_party_dirs()
    modules = sorted({m.name for m in pkgutil.iter_modules(dirs)})
    offered = []
    for pkg in packages:
        names = set()
        for line in dpkg("-L", pkg).splitlines():
            for d in dirs:
                if line.startswith(d + "/"):
                    first = line[len(d) + 1:].split("/")[0]
                    names.add(first.split(".")[0])
        own = sorted(names.intersection(modules))
        if not own:
            sys.exit(f"offered.py: {pkg} installs no importable module")
        offered.append({"debian": pkg, "version": dpkg("-W", "-f=${Version}", pkg), "modules": own})
    json.dump({
        "language": "python",
        "runtime": platform.python_version(),
        "packages": offered,
        "modules": modules,
        "stdlib": sorted(sys.stdlib_module_names),
    }, sys.stdout, indent=1)
    print()


main(sys.argv[1:])
