// Tests of GB.localPath (web/static/app.js), run by TestStaticScripts
// (web/scripts_test.go) with `node --test`. app.js runs in a bare
// context: its only use of the page at load is to wait for it.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const code = fs.readFileSync(path.join(__dirname, '..', 'static', 'app.js'), 'utf8');
const context = vm.createContext({ URL, URLSearchParams, document: { addEventListener() {} } });
const GB = vm.runInContext(code + '\n;GB', context);
const origin = 'https://grader.example.org';

test('paths on this site are kept, as the parser writes them', () => {
  const cases = {
    '/challenges': '/challenges',
    '/challenges/notes-api?tab=tests#run': '/challenges/notes-api?tab=tests#run',
    '/submissions/sub_1': '/submissions/sub_1',
    '/a/../instructor': '/instructor',
    '/a b': '/a%20b',
    'https://grader.example.org/instructor': '/instructor',
    // Same scheme, no slashes: a relative path, on this site.
    'https:evil.example': '/evil.example',
  };
  for (const [raw, want] of Object.entries(cases)) {
    assert.strictEqual(GB.localPath(raw, origin), want, raw);
  }
});

test('anything leading to another site is refused', () => {
  for (const raw of [
    '',
    '//evil.example/phish',
    '/\t/evil.example/phish',
    '/\n/evil.example/phish',
    '/\r\n/evil.example/phish',
    '\t//evil.example',
    ' //evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    '/.//evil.example',
    '/%2e//evil.example',
    'https://evil.example/',
    'http://grader.example.org/',
    'https://grader.example.org:444/',
    'https://grader.example.org.evil.example/',
    'javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,hi',
    'http://[::1',
  ]) {
    assert.strictEqual(GB.localPath(raw, origin), '', JSON.stringify(raw));
  }
});

test('what the sign-in page reads from ?next= is refused the same way', () => {
  // The query the issue reported: URLSearchParams decodes %09 to a tab.
  const next = new URLSearchParams('next=/%09/evil.example/phish').get('next');
  assert.strictEqual(next, '/\t/evil.example/phish');
  assert.strictEqual(GB.localPath(next, origin), '');
});
