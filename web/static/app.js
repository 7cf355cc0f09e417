// Shared by every page: the session (bearer token in sessionStorage),
// calls to the JSON API, the event stream reader, small DOM helpers that
// only ever insert text (never HTML), and the header.
'use strict';

const GB = (() => {
  const sessionKey = 'grader.session';

  // session returns {token, subject, role} or null.
  function session() {
    try {
      const s = JSON.parse(sessionStorage.getItem(sessionKey));
      return s && typeof s.token === 'string' ? s : null;
    } catch {
      return null;
    }
  }
  function saveSession(s) { sessionStorage.setItem(sessionKey, JSON.stringify(s)); }
  function clearSession() { sessionStorage.removeItem(sessionKey); }
  function isInstructor(s) { return !!s && (s.role === 'instructor' || s.role === 'admin'); }

  // here is the current page's path and query, for coming back after
  // signing in.
  function here() { return location.pathname + location.search; }

  // localPath returns raw as a path on this site (path, query and
  // fragment), or '' when it is empty or leads anywhere else. It asks the
  // URL parser, as the browser does when it navigates: tab, CR and LF
  // are dropped and backslashes are slashes, so '/\t/evil.example' is
  // '//evil.example', another site; and a path the parser turns into
  // '//…' ('/.//evil.example') would name another site once assigned.
  function localPath(raw, origin) {
    if (typeof raw !== 'string' || raw === '') return '';
    let u;
    try {
      u = new URL(raw, origin);
    } catch {
      return '';
    }
    if (u.origin !== origin || u.pathname.startsWith('//')) return '';
    return u.pathname + u.search + u.hash;
  }

  // goSignIn leaves for the sign-in page, which returns here afterwards.
  function goSignIn(reason) {
    const q = new URLSearchParams({ next: here() });
    if (reason) q.set('reason', reason);
    location.assign('/?' + q.toString());
  }

  // requireSession returns the session, or leaves for the sign-in page.
  function requireSession() {
    const s = session();
    if (!s) goSignIn('');
    return s;
  }

  // APIError is a failed API call: status 0 when the service could not
  // be reached, code the API's error code.
  class APIError extends Error {
    constructor(status, code, message, retryAfter) {
      super(message);
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter ? parseInt(retryAfter, 10) : 0;
    }
  }

  // api calls the API with the session's token and returns the decoded
  // JSON (or, with raw, the Response). A rejected token ends the session
  // and leaves for the sign-in page.
  async function api(path, opts = {}) {
    const s = opts.token ? { token: opts.token } : session();
    const headers = new Headers(opts.headers || {});
    if (s) headers.set('Authorization', 'Bearer ' + s.token);
    let res;
    try {
      res = await fetch(path, { method: opts.method || 'GET', body: opts.body, headers, signal: opts.signal, cache: 'no-store' });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new APIError(0, 'network', 'The grading service cannot be reached. Check that it is still running, then try again.');
    }
    if (!res.ok) {
      let code = 'http_' + res.status;
      let message = 'The service answered ' + res.status + (res.statusText ? ' ' + res.statusText : '') + '.';
      try {
        const j = await res.json();
        if (j && j.error) { code = j.error.code; message = j.error.message; }
      } catch { /* not JSON */ }
      const err = new APIError(res.status, code, message, res.headers.get('Retry-After'));
      if (res.status === 401 && !opts.token) {
        clearSession();
        goSignIn('rejected');
      }
      throw err;
    }
    if (opts.raw) return res;
    if (res.status === 204) return null;
    return res.json();
  }

  // explain turns an error into words for the page: what happened and
  // what to do.
  function explain(err) {
    if (!(err instanceof APIError)) return 'Something went wrong in this page: ' + (err && err.message ? err.message : String(err));
    switch (err.code) {
      case 'rate_limited': {
        const why = err.message.replace(/[;,]?\s*(retry|try again) in \d+s\.?$/i, '');
        return 'Not submitted: too many submissions in a short time (' + why + ').' +
          (err.retryAfter ? ' You can submit again in ' + err.retryAfter + ' s.' : '');
      }
      case 'unauthorized':
        return 'The service did not accept your token. Sign in again.';
      case 'forbidden':
        return 'Your token may not do this. ' + err.message;
      case 'payload_too_large':
        return 'That is too large to submit. ' + err.message;
      case 'unavailable':
        return 'The service is busy or partly down. ' + err.message;
      case 'internal':
        return 'The service failed (not your fault). Try again in a moment.';
      default:
        return err.message;
    }
  }

  // el makes an element. props: class, text, on<event>, dataset, and
  // attributes; children are nodes or strings (inserted as text).
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = String(v);
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // show puts text into an alert box and shows it; empty text hides it.
  function show(box, text, focus) {
    if (!box) return;
    box.replaceChildren();
    if (!text) { box.hidden = true; return; }
    box.append(el('p', { text }));
    box.hidden = false;
    if (focus) box.focus();
  }

  // Paths of pages and API routes, with ids escaped.
  const enc = encodeURIComponent;
  const paths = {
    challenge: id => '/challenges/' + enc(id),
    submission: id => '/submissions/' + enc(id),
    cohort: id => '/instructor/cohorts/' + enc(id),
    cohortTests: (id, ch) => '/instructor/cohorts/' + enc(id) + '/tests' + (ch ? '?challenge=' + enc(ch) : ''),
  };

  const statusWords = {
    passed: 'Full marks',
    failed: 'Some tests failed',
    build_failed: 'Build failed',
    timed_out: 'Timed out',
    memory_exceeded: 'Out of memory',
    output_exceeded: 'Too much output',
    error: 'Grading error (not your fault)',
  };
  const testWords = { passed: 'Passed', failed: 'Failed', not_run: 'Not run', skipped: 'Skipped' };
  const stateWords = { queued: 'Queued', grading: 'Grading', graded: 'Graded' };

  function statusBadge(status) {
    return el('span', { class: 'status ' + status, text: statusWords[status] || status });
  }
  function testBadge(status) {
    const mark = status === 'passed' ? '✓ ' : status === 'failed' ? '✗ ' : '';
    return el('span', { class: 'status ' + status, text: mark + (testWords[status] || status) });
  }
  function stateBadge(rec) {
    if (rec.state === 'graded' && rec.status) return statusBadge(rec.status);
    return el('span', { class: 'status ' + rec.state, text: stateWords[rec.state] || rec.state });
  }

  // scoreClass colours a score: full, high (70% or more), low, zero, or
  // none when there is no score.
  function scoreClass(score, max, attempted) {
    if (!attempted) return 'score-none';
    if (max > 0 && score >= max) return 'score-full';
    if (score <= 0) return 'score-zero';
    return max > 0 && score / max >= 0.7 ? 'score-high' : 'score-low';
  }

  const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  function when(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? '' : timeFormat.format(d);
  }
  function ms(n) {
    if (n === undefined || n === null) return '';
    return n < 1000 ? n + ' ms' : (n / 1000).toFixed(n < 10000 ? 2 : 1) + ' s';
  }

  // idempotencyKey makes a fresh key per submission, so a retried or
  // doubled request is not graded twice.
  function idempotencyKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
  }

  // download fetches an API path with the token and saves the answer.
  async function download(path, fallbackName) {
    const res = await api(path, { raw: true });
    const blob = await res.blob();
    let name = fallbackName;
    const cd = res.headers.get('Content-Disposition') || '';
    const m = /filename="?([^";]+)"?/.exec(cd);
    if (m) name = m[1];
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  // follow reads a submission's event stream (Server-Sent Events) with
  // fetch, since EventSource cannot send the Authorization header. It
  // calls onEvent({type, id, data}) for each event and reconnects with
  // Last-Event-ID when the connection drops, until a done event (or
  // onEvent returning true) or stop(). onState('open' | 'reconnecting' |
  // 'failed', err) reports the connection.
  function follow(id, onEvent, onState) {
    let last = '';
    let stopped = false;
    let ctrl = null;
    let tries = 0;
    const url = '/v1/submissions/' + enc(id) + '/events';

    async function run() {
      while (!stopped) {
        ctrl = new AbortController();
        const headers = { Accept: 'text/event-stream' };
        if (last) headers['Last-Event-ID'] = last;
        try {
          const res = await api(url, { raw: true, headers, signal: ctrl.signal });
          tries = 0;
          onState('open');
          if (await read(res.body)) return;
        } catch (e) {
          if (stopped || e.name === 'AbortError') return;
          if (e instanceof APIError && e.status >= 400 && e.status < 500 && e.status !== 429) {
            onState('failed', e);
            return;
          }
        }
        if (stopped) return;
        tries++;
        onState('reconnecting');
        await new Promise(r => setTimeout(r, Math.min(1000 * 2 ** (tries - 1), 10000)));
      }
    }

    // read parses the stream as the HTML standard says: lines end in LF,
    // CR or CRLF; ":" lines are comments; an empty line dispatches. It
    // returns true once the stream is finished for good.
    async function read(body) {
      const reader = body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      let data = [];
      let type = '';
      let first = true;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        buf += decoder.decode(value, { stream: true });
        for (;;) {
          const i = buf.search(/[\r\n]/);
          if (i < 0) break;
          // A CR at the end may be the first half of a CRLF.
          if (buf[i] === '\r' && i === buf.length - 1) break;
          let line = buf.slice(0, i);
          buf = buf.slice(buf[i] === '\r' && buf[i + 1] === '\n' ? i + 2 : i + 1);
          if (first) { line = line.replace(/^\uFEFF/, ''); first = false; }
          if (line === '') {
            if (data.length) {
              const ev = { type: type || 'message', id: last, data: data.join('\n') };
              data = [];
              type = '';
              if (onEvent(ev) === true || ev.type === 'done') {
                stopped = true;
                reader.cancel().catch(() => {});
                return true;
              }
            }
            type = '';
            continue;
          }
          if (line[0] === ':') continue;
          const c = line.indexOf(':');
          const field = c < 0 ? line : line.slice(0, c);
          let v = c < 0 ? '' : line.slice(c + 1);
          if (v[0] === ' ') v = v.slice(1);
          if (field === 'event') type = v;
          else if (field === 'data') data.push(v);
          else if (field === 'id' && !v.includes('\0')) last = v;
        }
      }
    }

    run();
    return { stop() { stopped = true; if (ctrl) ctrl.abort(); } };
  }

  // languages are the languages a challenge may be offered in: the name
  // shown for each, and the files (by name, or by extension, the first
  // one shown) at a submission's root that mark a folder as one, as the
  // grader decides (grader.Language.MarksRoot).
  const languages = {
    go: { name: 'Go', files: ['go.mod'], exts: [] },
    python: { name: 'Python', files: ['requirements.txt', 'pyproject.toml'], exts: ['.py'] },
    javascript: { name: 'JavaScript', files: ['package.json'], exts: ['.js', '.mjs', '.cjs'] },
  };

  // languageName is how a language is shown: 'Python' for 'python', the
  // value itself for one this page does not know.
  function languageName(l) {
    return Object.hasOwn(languages, l) ? languages[l].name : String(l);
  }

  // languageOf is the language a submission was graded in, from its
  // record or its result; '' when neither says.
  function languageOf(rec) {
    if (!rec) return '';
    return rec.language || (rec.result && rec.result.language) || '';
  }

  // header shows who is signed in and the links their role may use.
  function header() {
    const s = session();
    const who = $('#who');
    const out = $('#sign-out');
    const inLink = $('#sign-in-link');
    if (s) {
      who.textContent = s.subject + ' (' + s.role + ')';
      who.hidden = false;
      out.hidden = false;
      if (inLink) inLink.hidden = true;
    }
    for (const e of $$('[data-needs-role]')) {
      const need = e.dataset.needsRole;
      e.hidden = !s || (need === 'instructor' ? !isInstructor(s) : s.role !== need);
    }
    out.addEventListener('click', () => {
      clearSession();
      location.assign('/');
    });
  }

  document.addEventListener('DOMContentLoaded', header);

  return {
    session, saveSession, clearSession, isInstructor, requireSession, goSignIn, localPath,
    APIError, api, explain, el, $, $$, show, paths, statusBadge, testBadge, stateBadge,
    statusWords, scoreClass, when, ms, idempotencyKey, download, follow,
    languages, languageName, languageOf,
  };
})();
