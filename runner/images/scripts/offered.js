// Print grader/node:local's offered list (runner/images/offered.go).
//
// Run at image build time with the Debian packages the image was asked
// for as arguments; everything comes from what is installed: the package
// names require resolves from node's global folders (Debian's
// /usr/share/nodejs and the like), each package's own names from dpkg's
// file list, the built-ins from module.builtinModules.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const Module = require('module');

// Folders under HOME are the sandbox user's to write, not the image's.
const roots = Module.globalPaths.filter((d) => !d.startsWith(os.homedir()) && fs.existsSync(d));

function resolvable(name) {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

const found = new Set();
for (const root of roots) {
  for (const entry of fs.readdirSync(root)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@') ? fs.readdirSync(`${root}/${entry}`).map((s) => `${entry}/${s}`) : [entry];
    for (const name of names) if (resolvable(name)) found.add(name);
  }
}
const modules = [...found].sort();

const dpkg = (...args) => execFileSync('dpkg-query', args, { encoding: 'utf8' });
const packages = process.argv.slice(2).map((pkg) => {
  const own = new Set();
  for (const line of dpkg('-L', pkg).split('\n')) {
    for (const root of roots) {
      if (!line.startsWith(`${root}/`)) continue;
      const parts = line.slice(root.length + 1).split('/');
      const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
      if (found.has(name)) own.add(name);
    }
  }
  if (own.size === 0) {
    console.error(`offered.js: ${pkg} installs no package require finds`);
    process.exit(1);
  }
  return { debian: pkg, version: dpkg('-W', '-f=${Version}', pkg), modules: [...own].sort() };
});

// Built-ins that load only as "node:<name>" are not in builtinModules;
// these are every one Node has had, kept when this node has them.
const prefixOnly = ['sea', 'sqlite', 'test', 'test/reporters'].map((n) => `node:${n}`).filter((n) => Module.isBuiltin(n));

process.stdout.write(JSON.stringify({
  language: 'node',
  runtime: process.version,
  packages,
  modules,
  stdlib: [...Module.builtinModules, ...prefixOnly].sort(),
}, null, 1) + '\n');
