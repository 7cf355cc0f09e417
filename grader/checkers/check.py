"""The build step of a Python submission: byte-compile every file and
resolve every import, without running any of the learner's code.

Usage: python3 -I -B check.py <folder>

Each problem is printed as "file:line: message" on stdout, file relative
to the folder. Exit status 0: no problem; 10: problems found (1 is
Python's own for an uncaught exception: the checker failed).

Imports are resolved from the file's own folder and the submission's root
(the learner's modules), then the standard library, then the modules the
image offers (/opt/grader/offered.json) that importlib finds on the
image's own sys.path. Only top-level names are looked up: finding a
submodule would import its parent package, which runs code. An import
inside a try that catches ImportError (or a base of it) is optional and
left alone.
"""
import ast
import importlib.util
import json
import os
import sys

OFFERED = "/opt/grader/offered.json"


def load_offered():
    try:
        with open(OFFERED, encoding="utf-8") as f:
            o = json.load(f)
    except OSError:
        return None, []
    # Each Debian package by the module it is known by (python3-flask:
    # flask), or by all it installs when none has its name.
    named = []
    for p in o.get("packages", []):
        mods = p.get("modules", [])
        short = p.get("debian", "").split("-", 1)[-1]
        named.extend([short] if short in mods else [m for m in mods if not m.startswith("_")])
    return set(o.get("modules", [])), sorted(set(named))


def sources(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith(".grader") and x != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                out.append(os.path.join(d, name))
    return out


def local(root, folder, top):
    for base in (folder, root):
        if os.path.isfile(os.path.join(base, top + ".py")) or os.path.isdir(os.path.join(base, top)):
            return True
    return False


def relative_problem(root, path, level, module):
    """Why a relative import cannot resolve, or "" when it can. A module
    at the root is run or imported as a top-level module, so it has no
    package to be relative to; one in pkg/ may climb one level (to pkg)."""
    folder = os.path.dirname(path)
    depth = 0 if folder == root else len(os.path.relpath(folder, root).split(os.sep))
    if level > depth:
        return "climbs above the submission's packages (a module run from the root has no package)"
    base = folder
    for _ in range(level - 1):
        base = os.path.dirname(base)
    if module:
        target = os.path.join(base, *module.split("."))
        if not (os.path.isfile(target + ".py") or os.path.isdir(target)):
            return "is not a file or folder of the submission"
    return ""


GUARDS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def guarded(tree):
    """The import statements inside a try whose handlers catch a failed
    import: the code is ready for the module to be missing."""
    out = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        names = set()
        for h in node.handlers:
            if h.type is None:
                names.add("BaseException")
            for t in (h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]):
                if isinstance(t, ast.Name):
                    names.add(t.id)
        if names & GUARDS:
            for stmt in node.body:
                out.update(id(n) for n in ast.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom)))
    return out


def main():
    root = os.path.abspath(sys.argv[1])
    # The learner's folder must not shadow what the image offers.
    sys.path[:] = [p for p in sys.path if p and not os.path.abspath(p).startswith(root)]
    offered, named = load_offered()
    stdlib = set(sys.stdlib_module_names) | set(sys.builtin_module_names)
    problems = []
    found = {}

    def problem(rel, line, msg):
        problems.append("%s:%d: %s" % (rel, line, msg))

    for path in sources(root):
        rel = os.path.relpath(path, root)
        try:
            with open(path, "rb") as f:
                src = f.read()
            tree = compile(src, rel, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
            compile(tree, rel, "exec", dont_inherit=True)
        except SyntaxError as e:
            detail = e.msg
            if e.text:
                detail += ": " + e.text.strip()
            problem(rel, e.lineno or 1, "syntax error: " + detail)
            continue
        except (ValueError, UnicodeDecodeError) as e:
            problem(rel, 1, "cannot be compiled: %s" % e)
            continue
        folder = os.path.dirname(path)
        optional = guarded(tree)
        for node in ast.walk(tree):
            if id(node) in optional:
                continue
            if isinstance(node, ast.Import):
                names = [(a.name, 0) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "", node.level)]
            else:
                continue
            for name, level in names:
                if level > 0:
                    why = relative_problem(root, path, level, name)
                    if why:
                        problem(rel, node.lineno, "imports %s%s, which %s" % ("." * level, name, why))
                    continue
                top = name.split(".")[0]
                if top in stdlib or local(root, folder, top):
                    continue
                if top not in found:
                    ok = offered is None or top in offered
                    found[top] = ok and importlib.util.find_spec(top) is not None
                if not found[top]:
                    msg = "imports %s, which the image does not offer" % top
                    if named:
                        msg += "; offered: " + ", ".join(named) + " and the standard library"
                    problem(rel, node.lineno, msg)
    for p in problems:
        print(p)
    sys.exit(10 if problems else 0)


main()
