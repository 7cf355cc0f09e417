// A small fake page for running the pages' scripts under `node --test`:
// the real static/app.js on a fake document whose elements are found by
// id, and a page script run on it with the API answered by a function.
// Used by the *.test.js files next to it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

class FakeNode {}

class FakeText extends FakeNode {
  constructor(text) { super(); this.text = String(text); }
  get textContent() { return this.text; }
}

class FakeEl extends FakeNode {
  constructor(tag) {
    super();
    this.tag = tag; this.attrs = {}; this.children = []; this.dataset = {}; this.listeners = {};
    this.hidden = false; this.disabled = false; this.value = ''; this.files = [];
    this.className = '';
    const classes = new Set();
    this.classList = {
      add: c => classes.add(c), remove: c => classes.delete(c), contains: c => classes.has(c),
      toggle: (c, on) => ((on === undefined ? !classes.has(c) : on) ? classes.add(c) : classes.delete(c)),
    };
  }
  get textContent() { return this.children.map(c => c.textContent).join(''); }
  set textContent(t) { this.children = [new FakeText(t)]; }
  setAttribute(k, v) {
    this.attrs[k] = String(v);
    if (k.startsWith('data-')) this.dataset[k.slice(5).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = String(v);
  }
  getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; }
  removeAttribute(k) { delete this.attrs[k]; }
  append(...c) { this.children.push(...c.map(x => (x instanceof FakeNode ? x : new FakeText(x)))); }
  replaceChildren(...c) { this.children = []; this.append(...c); }
  after(...c) { this.siblings = (this.siblings || []).concat(c); }
  remove() {}
  click() {}
  focus() {}
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  // closest knows "[data-x]" only.
  closest(sel) {
    const m = /^\[([a-z-]+)\]$/.exec(sel);
    return m && m[1] in this.attrs ? this : null;
  }
  // fire calls the element's listeners of type with ev.
  async fire(type, ev = {}) {
    for (const fn of this.listeners[type] || []) await fn({ preventDefault() {}, target: this, ...ev });
  }
}

// find lists the elements under node (node included) for which pred holds.
function find(node, pred, out = []) {
  if (node instanceof FakeEl) {
    if (pred(node)) out.push(node);
    for (const c of node.children) find(c, pred, out);
  }
  return out;
}

// load runs static/app.js and then static/<script> on a fake page.
// opts.ids makes elements (id → function setting them up); opts.absent
// names ids the page does not have; opts.api(method, path, opts) answers
// the API; opts.session is who is signed in. It returns the page: byId,
// GB, calls (of the API), downloads, assigned (location.assign).
function load(script, opts) {
  const byId = {};
  const absent = new Set(opts.absent || []);
  const page = { byId, calls: [], downloads: [], assigned: [] };
  const document = {
    title: '',
    body: new FakeEl('body'),
    createElement: tag => new FakeEl(tag),
    createTextNode: t => new FakeText(t),
    addEventListener() {},
    querySelector(sel) {
      if (!sel.startsWith('#')) throw new Error('unexpected selector ' + sel);
      const id = sel.split(' ')[0].slice(1);
      if (absent.has(id)) return null;
      if (!byId[sel]) byId[sel] = new FakeEl('div');
      return byId[sel];
    },
    querySelectorAll: () => [],
  };
  for (const [id, setup] of Object.entries(opts.ids || {})) setup(document.querySelector('#' + id));
  const store = { 'grader.session': JSON.stringify(opts.session || { token: 't', subject: 'ada', role: 'learner' }) };
  const context = vm.createContext({
    document, Node: FakeNode, URL, URLSearchParams, FormData, Blob, File, TextEncoder, crypto, setTimeout, clearTimeout,
    sessionStorage: { getItem: k => store[k] || null, setItem: (k, v) => { store[k] = v; }, removeItem: k => { delete store[k]; } },
    location: { pathname: opts.pathname || '/', search: opts.search || '', assign: u => page.assigned.push(u) },
    history: { replaceState() {} },
    window: { addEventListener() {} },
  });
  const GB = vm.runInContext(fs.readFileSync(path.join(__dirname, '..', 'static', 'app.js'), 'utf8') + '\n;GB', context);
  GB.api = async (p, o = {}) => {
    const method = o.method || 'GET';
    page.calls.push({ method, path: p, body: o.body });
    return opts.api(method, p, o);
  };
  GB.download = async (p, name) => { page.downloads.push([p, name]); };
  page.GB = GB;
  vm.runInContext(fs.readFileSync(path.join(__dirname, '..', 'static', script), 'utf8'), context);
  return page;
}

// settle lets the page script's pending promises run.
async function settle() {
  for (let i = 0; i < 20; i++) await new Promise(setImmediate);
}

module.exports = { FakeEl, find, load, settle };
