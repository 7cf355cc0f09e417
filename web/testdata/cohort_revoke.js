// Runs static/cohort.js on a small fake page and clicks its revoke
// buttons: each sends DELETE /v1/cohorts/{id}/tokens/{learner} and says
// what happened in place of the button. Run by TestCohortRevokeButton;
// exits non-zero on the first mismatch.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const assert = require('assert');

class FakeEl {
  constructor(tag) {
    this.tag = tag; this.attrs = {}; this.children = []; this.dataset = {}; this.listeners = {};
    this.textContent = ''; this.hidden = false; this.disabled = false; this.replacedBy = null;
  }
  setAttribute(k, v) {
    this.attrs[k] = v;
    if (k.startsWith('data-')) this.dataset[k.slice(5).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = v;
  }
  append(...c) { this.children.push(...c); }
  replaceChildren(...c) { this.children = c; }
  replaceWith(n) { this.replacedBy = n; }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  closest(sel) {
    const m = /^\[([a-z-]+)\]$/.exec(sel);
    return m && m[1] in this.attrs ? this : null;
  }
  focus() {}
}

function find(node, pred, out = []) {
  if (node instanceof FakeEl) {
    if (pred(node)) out.push(node);
    node.children.forEach(c => find(c, pred, out));
  }
  return out;
}

const byId = {};
const page = sel => {
  if (!sel.startsWith('#')) throw new Error('unexpected selector ' + sel);
  return byId[sel] || (byId[sel] = new FakeEl('div'));
};
page('#cohort').dataset.cohort = 'spring-26';

const calls = [];
async function api(p, opts = {}) {
  const method = opts.method || 'GET';
  calls.push(method + ' ' + p);
  if (method === 'DELETE') {
    if (p.endsWith('/b%2Fob')) { const e = new Error('"b/ob" holds no token of cohort spring-26'); e.status = 404; throw e; }
    return null;
  }
  if (p === '/v1/cohorts/spring-26') return { id: 'spring-26', name: 'Spring', learners: ['ada', 'b/ob'], challenges: ['notes-api'] };
  if (p.startsWith('/v1/cohorts/spring-26/report')) return { generated_at: '', challenges: [{ id: 'notes-api', title: 'Notes', max_score: 5 }], rows: [] };
  if (p.startsWith('/v1/cohorts/spring-26/leaderboard')) return { entries: [] };
  throw new Error('unexpected call ' + method + ' ' + p);
}

function el(tag, props, ...children) {
  const e = new FakeEl(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

const shown = {};
const sandbox = {
  GB: {
    $: page, $$: () => [], el, api,
    requireSession: () => ({ subject: 'teach', role: 'instructor', token: 't' }),
    show: (box, text) => { box.hidden = !text; box.textContent = text; },
    explain: e => e.message, paths: { submission: id => '/submissions/' + id, cohortTests: () => '/tests' },
    when: t => t, scoreClass: () => '', download: async () => {}, isInstructor: () => true,
  },
  document: { title: '' }, location: { search: '', pathname: '/instructor/cohorts/spring-26' },
  history: { replaceState() {} }, URLSearchParams, setTimeout, clearTimeout, Promise, Error,
};
vm.createContext(sandbox);

const settle = async () => { for (let i = 0; i < 20; i++) await new Promise(setImmediate); };

(async () => {
  vm.runInContext(fs.readFileSync(path.join(__dirname, '..', 'static', 'cohort.js'), 'utf8'), sandbox);
  await settle();
  const tokens = page('#tokens');
  const buttons = find(tokens, n => n.tag === 'button' && 'data-revoke' in n.attrs);
  assert.deepStrictEqual(buttons.map(b => b.attrs['data-revoke']), ['ada', 'b/ob'], 'one revoke button per learner');
  assert.strictEqual(buttons[0].attrs['aria-label'], 'Revoke the token of ada');
  const click = target => tokens.listeners.click.forEach(fn => fn({ target }));

  click(buttons[0]);
  await settle();
  assert.ok(calls.includes('DELETE /v1/cohorts/spring-26/tokens/ada'), 'calls: ' + calls.join(', '));
  assert.ok(buttons[0].replacedBy && buttons[0].replacedBy.textContent === 'Revoked', 'ada\'s button says it is revoked');

  click(buttons[1]);
  await settle();
  assert.ok(calls.includes('DELETE /v1/cohorts/spring-26/tokens/b%2Fob'), 'the learner id is one escaped path segment: ' + calls.join(', '));
  assert.ok(buttons[1].replacedBy && buttons[1].replacedBy.textContent === 'No token to revoke', 'a 404 says there was no token');
  assert.ok(page('#tokens-error').hidden !== false || !page('#tokens-error').textContent, 'a 404 is not shown as an error');
  console.log('ok');
})().catch(e => { console.error(e && e.stack || e); process.exit(1); });
