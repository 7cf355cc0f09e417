// Tests of the pages' language choice, run by TestStaticScripts
// (web/scripts_test.go) with `node --test`: the challenge page sends the
// chosen language with a submission and downloads each language's
// starter; the submission and history pages show a submission's language
// when its record or result carries one, and nothing when neither does.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { find, load, settle } = require('./fakepage.js');

// challengePage runs static/challenge.js for challenge ledger, offered in
// languages (the page's data-languages); without a language select when
// withSelect is false, as the page renders a one-language challenge.
function challengePage(languages, withSelect) {
  return load('challenge.js', {
    pathname: '/challenges/ledger',
    absent: withSelect ? [] : ['submit-language'],
    ids: {
      challenge: e => { e.setAttribute('data-challenge', 'ledger'); e.setAttribute('data-languages', languages); },
    },
    api: (method, p) => {
      if (method === 'POST' && p === '/v1/submissions') return { id: 'sub_1' };
      if (p === '/v1/cohorts') return { cohorts: [] };
      if (p.startsWith('/v1/submissions?')) {
        return { total: 2, items: [
          { id: 'sub_0', attempt: 2, state: 'graded', score: 5, max_score: 5, language: 'python', created_at: '2030-01-02T03:04:05Z' },
          { id: 'sub_9', attempt: 1, state: 'graded', score: 1, max_score: 5, created_at: '2030-01-01T03:04:05Z' },
        ] };
      }
      if (p === '/v1/challenges') return { items: [{ id: 'ledger', max_score: 5, languages: languages.split(' ') }] };
      throw new Error('unexpected call ' + method + ' ' + p);
    },
  });
}

// submit picks an archive, submits it and returns the form sent.
async function submit(page) {
  const pick = page.byId['#pick-archive'];
  pick.files = [new File(['archive'], 'solution.zip')];
  await pick.fire('change');
  assert.strictEqual(page.byId['#submit-button'].disabled, false, 'the submit button is on once an archive is chosen');
  await page.byId['#submit-form'].fire('submit');
  await settle();
  const posts = page.calls.filter(c => c.method === 'POST');
  assert.strictEqual(posts.length, 1, 'one submission is sent');
  assert.deepStrictEqual(page.assigned, ['/submissions/sub_1'], 'the page goes to the new submission');
  return posts[0].body;
}

test('the chosen language goes up as the submission\'s language field', async () => {
  const page = challengePage('go python javascript', true);
  await settle();
  page.byId['#submit-language'].value = 'python';
  const form = await submit(page);
  assert.strictEqual(form.get('challenge'), 'ledger');
  assert.strictEqual(form.get('language'), 'python');
  assert.strictEqual(form.get('archive').name, 'solution.zip');
});

test('left on detect, no language field is sent', async () => {
  const page = challengePage('go python javascript', true);
  await settle();
  page.byId['#submit-language'].value = '';
  const form = await submit(page);
  assert.strictEqual(form.has('language'), false, 'language: ' + form.get('language'));
});

test('a one-language page, without the select, sends no language field', async () => {
  const page = challengePage('go', false);
  await settle();
  const form = await submit(page);
  assert.strictEqual(form.has('language'), false);
});

test('each starter button downloads its language\'s starter', async () => {
  const page = challengePage('go python javascript', true);
  await settle();
  const starters = page.byId['#starters'];
  for (const lang of ['python', 'javascript', 'go']) {
    const button = page.GB.el('button', { 'data-starter': lang });
    await starters.fire('click', { target: button });
  }
  await starters.fire('click', { target: page.GB.el('span') });
  assert.deepStrictEqual(page.downloads, [
    ['/v1/challenges/ledger/starter?language=python', 'ledger-python-starter.tar.gz'],
    ['/v1/challenges/ledger/starter?language=javascript', 'ledger-javascript-starter.tar.gz'],
    ['/v1/challenges/ledger/starter?language=go', 'ledger-starter.tar.gz'],
  ]);
});

test('a chosen folder is checked against the language chosen, or every offered one', async () => {
  const page = challengePage('go python', true);
  await settle();
  const select = page.byId['#submit-language'];
  const folder = page.byId['#pick-folder'];
  const chosen = page.byId['#chosen'];
  folder.files = [new File(['print(1)'], 'app.py'), new File(['flask'], 'requirements.txt')]
    .map((f, i) => Object.assign(f, { webkitRelativePath: 'sol/' + ['app.py', 'requirements.txt'][i] }));
  await folder.fire('change');
  assert.strictEqual(chosen.textContent, '2 files to submit', 'detect: a Python folder is fine');
  select.value = 'go';
  await select.fire('change');
  assert.strictEqual(chosen.textContent, '2 files to submit (no go.mod among them: submit the folder that holds it)', 'chosen Go');
  select.value = 'python';
  await select.fire('change');
  assert.strictEqual(chosen.textContent, '2 files to submit');
  folder.files = [Object.assign(new File(['x'], 'notes.txt'), { webkitRelativePath: 'sol/notes.txt' })];
  select.value = '';
  await folder.fire('change');
  assert.strictEqual(chosen.textContent, '1 file to submit (no go.mod, requirements.txt, pyproject.toml nor any .py file among them: submit the folder that holds your solution)');
  select.value = 'python';
  await select.fire('change');
  assert.strictEqual(chosen.textContent, '1 file to submit (no requirements.txt, pyproject.toml nor any .py file among them: submit the folder that holds your solution)');
});

test('a JavaScript module file marks a JavaScript folder', async () => {
  const page = challengePage('javascript', false);
  await settle();
  const folder = page.byId['#pick-folder'];
  folder.files = [Object.assign(new File(['x'], 'server.mjs'), { webkitRelativePath: 'sol/server.mjs' })];
  await folder.fire('change');
  assert.strictEqual(page.byId['#chosen'].textContent, '1 file to submit');
  folder.files = [Object.assign(new File(['x'], 'main.go'), { webkitRelativePath: 'sol/main.go' })];
  await folder.fire('change');
  assert.strictEqual(page.byId['#chosen'].textContent, '1 file to submit (no package.json nor any .js file among them: submit the folder that holds your solution)');
});

test('the attempts list shows a recorded language', async () => {
  const page = challengePage('go python', true);
  await settle();
  const items = find(page.byId['#attempts'], n => n.tag === 'li');
  assert.strictEqual(items.length, 2);
  assert.match(items[0].textContent, /5 \/ 5 Python /);
  assert.doesNotMatch(items[1].textContent, /Python|Go /);
});

// submissionPage runs static/submission.js on a graded record.
function submissionPage(rec) {
  return load('submission.js', {
    pathname: '/submissions/' + rec.id,
    api: (method, p) => {
      if (p === '/v1/submissions/' + rec.id) return rec;
      if (p === '/v1/challenges/ledger') return { challenge: { title: 'Ledger' }, visible_tests: [], hidden_tests: 0 };
      throw new Error('unexpected call ' + method + ' ' + p);
    },
  });
}

const graded = { challenge: 'ledger', attempt: 1, state: 'graded', created_at: '2030-01-02T03:04:05Z' };
const result = { status: 'passed', score: 5, max_score: 5, tests: [] };

test('the submission page shows the language of the record or of its result', async () => {
  for (const [rec, want] of [
    [{ ...graded, id: 's1', language: 'javascript', result }, 'In JavaScript · '],
    [{ ...graded, id: 's2', result: { ...result, language: 'python' } }, 'In Python · '],
    [{ ...graded, id: 's3', result }, ''],
    [{ ...graded, id: 's4', language: 'cobol', result }, 'In cobol · '],
  ]) {
    const page = submissionPage(rec);
    await settle();
    const meta = page.byId['#sub-meta'];
    const lang = find(meta, n => n.attrs.id === 'sub-language');
    assert.strictEqual(lang.length, 1, rec.id + ': the meta line has its language slot');
    assert.strictEqual(lang[0].textContent, want, rec.id);
    assert.ok(meta.textContent.includes('Challenge page'), rec.id + ': ' + meta.textContent);
  }
});

// historyPage runs static/history.js on a page of records.
function historyPage(items) {
  return load('history.js', {
    pathname: '/submissions',
    api: (method, p) => {
      if (p === '/v1/challenges') return { items: [{ id: 'ledger', title: 'Ledger' }] };
      if (p.startsWith('/v1/submissions?')) return { items, total: items.length, offset: 0, limit: 20 };
      throw new Error('unexpected call ' + method + ' ' + p);
    },
  });
}

test('the history page has a language column once a submission records one', async () => {
  const rows = [
    { ...graded, id: 's1', language: 'python', score: 5, max_score: 5 },
    { ...graded, id: 's2', score: 1, max_score: 5 },
  ];
  let page = historyPage(rows);
  await settle();
  let table = page.byId['#history'];
  const heads = find(table, n => n.tag === 'th').map(n => n.textContent);
  assert.deepStrictEqual(heads, ['Submitted', 'Challenge', 'Language', 'Attempt', 'Result', 'Score']);
  const cells = find(table, n => n.tag === 'tr').slice(1).map(tr => find(tr, n => n.tag === 'td').map(td => td.textContent)[2]);
  assert.deepStrictEqual(cells, ['Python', '']);

  page = historyPage([rows[1]]);
  await settle();
  table = page.byId['#history'];
  assert.ok(!find(table, n => n.tag === 'th').some(n => n.textContent === 'Language'), 'no language column without languages');
});
