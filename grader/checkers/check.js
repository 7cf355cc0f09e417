// The build step of a JavaScript submission: check the syntax of every
// file with `node --check` and resolve every require/import, without
// running any of the learner's code.
//
// Usage: node check.js <folder>
//
// Each problem is printed as "file:line: message" on stdout, file relative
// to the folder. Exit status 0: no problem; 10: problems found (1 is
// Node's own for an uncaught exception: the checker failed).
//
// Specifiers are found by a static scan (require("x"), import ... from
// "x", import("x"), export ... from "x"). Relative ones must name a file
// of the submission; built-ins resolve; any other must be a package the
// image offers (/opt/grader/offered.json) that require.resolve finds from
// the file's folder. A node_modules folder in the submission is refused:
// packages come from the image.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const Module = require('module');

const OFFERED = '/opt/grader/offered.json';

function loadOffered() {
  let o;
  try {
    o = JSON.parse(fs.readFileSync(OFFERED, 'utf8'));
  } catch (e) {
    return { modules: null, named: [] };
  }
  // Each Debian package by the module it is known by (node-pg: pg), or
  // by all it installs when none has its name.
  const named = new Set();
  for (const p of o.packages || []) {
    const mods = p.modules || [];
    const short = (p.debian || '').replace(/^[^-]*-/, '');
    for (const m of mods.includes(short) ? [short] : mods) named.add(m);
  }
  return { modules: new Set(o.modules || []), named: [...named].sort() };
}

function walk(root, dir, out, problems) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.name.startsWith('.grader')) continue;
    if (e.isDirectory()) {
      if (e.name === 'node_modules') {
        problems.push(path.relative(root, p) + ':1: node_modules/ is not allowed: packages come from the image; remove the folder');
        continue;
      }
      walk(root, p, out, problems);
    } else if (/\.(js|mjs|cjs)$/.test(e.name)) {
      out.push(p);
    }
  }
}

const patterns = [
  /\brequire\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g,
  /\bimport\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g,
  /^\s*import\s+(?:[\w$*{}\s,]+\s+from\s+)?(['"])([^'"\n]+)\1/gm,
  /^\s*export\s+[\w$*{}\s,]+\s+from\s+(['"])([^'"\n]+)\1/gm,
];

// specifiers returns [spec, line] pairs, comments blanked first.
function specifiers(src) {
  const blank = (m) => m.replace(/[^\n]/g, ' ');
  const code = src.replace(/\/\*[\s\S]*?\*\//g, blank).replace(/(^|[^:\\])\/\/[^\n]*/g, (m, pre) => pre + blank(m.slice(pre.length)));
  const out = [];
  for (const re of patterns) {
    re.lastIndex = 0;
    let m;
    while ((m = re.exec(code)) !== null) {
      const at = m.index + m[0].lastIndexOf(m[2]);
      out.push([m[2], code.slice(0, at).split('\n').length]);
    }
  }
  return out.sort((a, b) => a[1] - b[1]);
}

function topLevel(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') && parts.length >= 2 ? parts[0] + '/' + parts[1] : parts[0];
}

function syntax(file, rel) {
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
  if (r.status === 0) return null;
  const lines = (r.stderr || '').split('\n');
  let line = 1;
  const m = /:(\d+)$/.exec(lines[0] || '');
  if (m) line = Number(m[1]);
  const err = lines.find((l) => /^\w*Error\b/.test(l)) || 'does not parse';
  const src = lines[1] ? ': ' + lines[1].trim() : '';
  return rel + ':' + line + ': syntax error: ' + err + src;
}

function main() {
  const root = path.resolve(process.argv[2]);
  const offered = loadOffered();
  const problems = [];
  const files = [];
  walk(root, root, files, problems);
  for (const file of files) {
    const rel = path.relative(root, file);
    const bad = syntax(file, rel);
    if (bad) {
      problems.push(bad);
      continue;
    }
    const req = Module.createRequire(file);
    for (const [spec, line] of specifiers(fs.readFileSync(file, 'utf8'))) {
      if (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/')) {
        const target = path.resolve(path.dirname(file), spec);
        let ok = target === root || target.startsWith(root + path.sep);
        if (ok) {
          try {
            req.resolve(spec);
          } catch (e) {
            ok = false;
          }
        }
        if (!ok) problems.push(rel + ':' + line + ': requires ' + spec + ', which is not a file of the submission');
        continue;
      }
      if (Module.isBuiltin(spec)) continue;
      const top = topLevel(spec);
      let ok = offered.modules === null || offered.modules.has(top);
      if (ok) {
        try {
          ok = !req.resolve(spec).startsWith(root + path.sep);
        } catch (e) {
          ok = false;
        }
      }
      if (!ok) {
        let msg = rel + ':' + line + ': requires ' + top + ', which the image does not offer';
        if (offered.named.length > 0) msg += '; offered: ' + offered.named.join(', ') + ' and the Node.js built-ins';
        problems.push(msg);
      }
    }
  }
  for (const p of problems) console.log(p);
  process.exit(problems.length > 0 ? 10 : 0);
}

main();
