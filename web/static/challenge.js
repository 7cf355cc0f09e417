// A challenge page: the server renders the statement, limits and tests;
// this adds the starter download (one per offered language), submitting
// (an archive, a folder, or either dropped on the page, in the language
// chosen or detected), the learner's best score and attempts.
'use strict';
(() => {
  const { $, el, api, session, show, explain, paths, download, stateBadge, when, idempotencyKey, scoreClass, languages, languageName, languageOf } = GB;
  const head = $('#challenge');
  const id = head.dataset.challenge;
  // offered are the challenge's languages, the default first.
  const offered = (head.dataset.languages || 'go').split(' ').filter(Boolean);
  const s = session();
  if (!s) {
    $('#submit-signin a').setAttribute('href', '/?next=' + encodeURIComponent(location.pathname));
    return;
  }
  $('#submit-signin').hidden = true;
  $('#submit-tools').hidden = false;

  // Archives go up as they are; anything else is packed into a tar here.
  const archiveName = /\.(zip|tar|tgz|tar\.gz)$/i;
  // Bounds on what is read into memory before the service judges it
  // (it allows 500 files and 10 MiB): a folder dragged by mistake
  // (a home folder, node_modules) is refused here instead.
  const maxFiles = 2000;
  const maxBytes = 50 << 20;

  const chosenText = $('#chosen');
  const submitButton = $('#submit-button');
  const errorBox = $('#submit-error');
  const pickArchive = $('#pick-archive');
  const pickFolder = $('#pick-folder');
  const drop = $('#drop');
  // languageSelect is there when the challenge is offered in several
  // languages; its value '' leaves the language to be detected.
  const languageSelect = $('#submit-language');

  // chosen is what will be submitted: {archive: File} or {files: [{name, file}]}.
  let chosen = null;

  function choose(c, label) {
    chosen = c;
    show(errorBox, '');
    chosenText.textContent = label;
    chosenText.classList.toggle('ready', !!c);
    submitButton.disabled = !c;
  }

  // expected are the languages a submission may be in: the one chosen,
  // or every offered one while the language is left to be detected.
  function expected() {
    return languageSelect && languageSelect.value ? [languageSelect.value] : offered;
  }

  // describeFiles says how many files go up, and warns when nothing at
  // their root (or in a single top folder) marks them as a solution in
  // an expected language.
  function describeFiles(files) {
    const roots = files.map(f => f.name.replace(/^[^/]+\/(?=[^/]+$)/, '')).filter(n => !n.includes('/'));
    const langs = expected().filter(l => Object.hasOwn(languages, l)).map(l => languages[l]);
    const marks = n => langs.some(l => l.files.includes(n) || l.exts.some(x => n.endsWith(x)));
    const count = files.length + ' file' + (files.length === 1 ? '' : 's') + ' to submit';
    if (!langs.length || roots.some(marks)) return count;
    const names = langs.flatMap(l => l.files);
    const exts = langs.filter(l => l.exts.length).map(l => l.exts[0]);
    const none = 'no ' + names.join(', ') + (exts.length ? ' nor any ' + exts.join(' or ') + ' file' : '');
    const only = langs.length === 1 && !exts.length;
    return count + ' (' + none + ' among them: submit the folder that holds ' + (only ? 'it' : 'your solution') + ')';
  }

  // A new language choice checks the chosen folder again.
  if (languageSelect) {
    languageSelect.addEventListener('change', () => {
      if (chosen && chosen.files) chosenText.textContent = describeFiles(chosen.files);
    });
  }

  function chooseFiles(files) {
    files = files.filter(f => !/(^|\/)\.git(\/|$)/.test(f.name));
    if (!files.length) { choose(null, 'That folder holds no files.'); return; }
    if (files.length > maxFiles) { choose(null, 'That folder holds more than ' + maxFiles + ' files: choose the folder of your solution only.'); return; }
    const total = files.reduce((n, f) => n + f.file.size, 0);
    if (total > maxBytes) { choose(null, 'That folder holds more than 50 MiB: choose the folder of your solution only.'); return; }
    files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    choose({ files }, describeFiles(files));
  }

  pickArchive.addEventListener('change', () => {
    const f = pickArchive.files[0];
    pickFolder.value = '';
    if (f) choose({ archive: f }, f.name + ' (' + Math.ceil(f.size / 1024) + ' KiB) to submit');
  });
  pickFolder.addEventListener('change', () => {
    pickArchive.value = '';
    const files = Array.from(pickFolder.files, f => ({ name: f.webkitRelativePath || f.name, file: f }));
    chooseFiles(files);
  });

  // Drag and drop: a folder is read with webkitGetAsEntry; one archive
  // file goes up as it is; loose files are packed like a folder.
  for (const t of ['dragenter', 'dragover']) {
    drop.addEventListener(t, ev => { ev.preventDefault(); drop.classList.add('over'); });
  }
  for (const t of ['dragleave', 'drop']) {
    drop.addEventListener(t, () => drop.classList.remove('over'));
  }
  // A drop beside the zone must not open the file in the tab.
  window.addEventListener('dragover', ev => ev.preventDefault());
  window.addEventListener('drop', ev => ev.preventDefault());
  drop.addEventListener('drop', async ev => {
    ev.preventDefault();
    const items = Array.from(ev.dataTransfer.items || []).filter(i => i.kind === 'file');
    const entries = items.map(i => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null)).filter(Boolean);
    pickArchive.value = '';
    pickFolder.value = '';
    if (entries.length === 1 && entries[0].isFile && archiveName.test(entries[0].name)) {
      const f = ev.dataTransfer.files[0];
      choose({ archive: f }, f.name + ' (' + Math.ceil(f.size / 1024) + ' KiB) to submit');
      return;
    }
    if (!entries.length) {
      const files = Array.from(ev.dataTransfer.files, f => ({ name: f.name, file: f }));
      chooseFiles(files);
      return;
    }
    choose(null, 'Reading the folder…');
    try {
      const files = [];
      for (const e of entries) await walk(e, '', files);
      chooseFiles(files);
    } catch (e) {
      choose(null, 'The dropped folder could not be read: ' + (e.message || e));
    }
  });

  // walk collects the files under a dropped entry, named relative to the
  // dropped item (a dropped folder keeps its own name; the service strips
  // a single top folder). It stops early past maxFiles.
  async function walk(entry, prefix, out) {
    if (out.length > maxFiles) return;
    const name = prefix + entry.name;
    if (entry.isFile) {
      const file = await new Promise((res, rej) => entry.file(res, rej));
      out.push({ name, file });
      return;
    }
    if (!entry.isDirectory || entry.name === '.git') return;
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
      if (!batch.length) break;
      for (const e of batch) await walk(e, name + '/', out);
    }
  }

  // tar packs files as a POSIX ustar archive, which the service reads
  // like any other: file bytes are sent exactly as they are on disk.
  async function tar(files) {
    const te = new TextEncoder();
    const parts = [];
    const put = (h, off, len, str) => { const b = te.encode(str); h.set(b.subarray(0, len), off); };
    const octal = (n, len) => n.toString(8).padStart(len - 1, '0') + '\0';
    for (const f of files) {
      const data = new Uint8Array(await f.file.arrayBuffer());
      let name = f.name;
      let prefix = '';
      if (te.encode(name).length > 100) {
        const cut = name.lastIndexOf('/', 155);
        if (cut <= 0 || te.encode(name.slice(0, cut)).length > 155 || te.encode(name.slice(cut + 1)).length > 100) {
          throw new Error(name + ': the path is too long to pack; shorten it or submit an archive');
        }
        prefix = name.slice(0, cut);
        name = name.slice(cut + 1);
      }
      const h = new Uint8Array(512);
      put(h, 0, 100, name);
      put(h, 100, 8, '0000644\0');
      put(h, 108, 8, '0000000\0');
      put(h, 116, 8, '0000000\0');
      put(h, 124, 12, octal(data.length, 12));
      put(h, 136, 12, octal(Math.floor((f.file.lastModified || Date.now()) / 1000), 12));
      put(h, 148, 8, '        ');
      put(h, 156, 1, '0');
      put(h, 257, 6, 'ustar\0');
      put(h, 263, 2, '00');
      put(h, 345, 155, prefix);
      let sum = 0;
      for (const b of h) sum += b;
      put(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
      parts.push(h, data);
      if (data.length % 512) parts.push(new Uint8Array(512 - (data.length % 512)));
    }
    parts.push(new Uint8Array(1024));
    return new Blob(parts, { type: 'application/x-tar' });
  }

  // A learner in a cohort that has this challenge submits into it, so the
  // attempt counts there; they may choose practice instead.
  const cohortSelect = $('#submit-cohort');
  if (s.role === 'learner') {
    (async () => {
      let list = [];
      try {
        list = ((await api('/v1/cohorts')).cohorts || []).filter(c => (c.challenges || []).includes(id));
      } catch { return; /* a service without cohorts */ }
      if (!list.length) return;
      for (const c of list) {
        cohortSelect.append(el('option', { value: c.id, text: (c.name || c.id) + (c.due_at ? ' (due ' + when(c.due_at) + ')' : '') }));
      }
      cohortSelect.append(el('option', { value: '', text: 'No cohort: practice only' }));
      $('#cohort-choice').hidden = false;
    })();
  }

  $('#submit-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    if (!chosen) return;
    submitButton.disabled = true;
    const label = submitButton.textContent;
    submitButton.textContent = 'Uploading…';
    show(errorBox, '');
    try {
      const form = new FormData();
      form.append('challenge', id);
      if (cohortSelect.value) form.append('cohort', cohortSelect.value);
      if (languageSelect && languageSelect.value) form.append('language', languageSelect.value);
      if (chosen.archive) form.append('archive', chosen.archive, chosen.archive.name);
      else form.append('archive', await tar(chosen.files), 'solution.tar');
      const sub = await api('/v1/submissions', {
        method: 'POST', body: form, headers: { 'Idempotency-Key': idempotencyKey() },
      });
      location.assign(paths.submission(sub.id));
    } catch (e) {
      submitButton.textContent = label;
      show(errorBox, e instanceof GB.APIError ? explain(e) : (e.message || String(e)), true);
      if (e.code === 'rate_limited' && e.retryAfter > 0) waitThenEnable(e.retryAfter, label);
      else submitButton.disabled = false;
    }
  });

  // waitThenEnable keeps the button off while the rate limit lasts,
  // counting down on it.
  function waitThenEnable(secs, label) {
    const end = Date.now() + secs * 1000;
    const tick = () => {
      const left = Math.ceil((end - Date.now()) / 1000);
      if (left <= 0) {
        submitButton.textContent = label;
        submitButton.disabled = !chosen;
        return;
      }
      submitButton.textContent = 'Wait ' + left + ' s';
      setTimeout(tick, 1000);
    };
    submitButton.disabled = true;
    tick();
  }

  // One starter button per offered language, each asking for its own.
  const starterError = $('#starter-error');
  $('#starters').addEventListener('click', async ev => {
    const button = ev.target.closest('[data-starter]');
    if (!button) return;
    const lang = button.dataset.starter;
    show(starterError, '');
    try {
      await download('/v1/challenges/' + encodeURIComponent(id) + '/starter?' + new URLSearchParams({ language: lang }),
        id + (lang === 'go' ? '' : '-' + lang) + '-starter.tar.gz');
    } catch (e) {
      show(starterError, 'The ' + languageName(lang) + ' starter could not be downloaded: ' + explain(e));
    }
  });

  // The learner's own attempts at this challenge, and their best score.
  (async () => {
    try {
      const q = new URLSearchParams({ challenge: id, limit: '5' });
      const page = await api('/v1/submissions?' + q);
      const panel = $('#attempts-panel');
      const box = $('#attempts');
      panel.hidden = false;
      if (!page.items.length) {
        box.replaceChildren(el('p', { class: 'help', text: s.role === 'learner' ? 'No attempts yet.' : 'Nobody has submitted yet.' }));
      } else {
        box.replaceChildren(el('ul', { class: 'examples' }, page.items.map(r =>
          el('li', null,
            el('a', { href: paths.submission(r.id), text: (s.role === 'learner' ? '' : r.learner + ', ') + 'attempt ' + r.attempt }), ' ',
            stateBadge(r), ' ',
            r.state === 'graded' ? r.score + ' / ' + r.max_score + ' ' : '',
            languageOf(r) ? languageName(languageOf(r)) + ' ' : '',
            el('span', { class: 'help', text: when(r.created_at) }))),
        ));
        if (page.total > page.items.length) {
          box.append(el('p', null, el('a', { href: '/submissions?' + new URLSearchParams({ challenge: id }), text: 'All ' + page.total + ' attempts' })));
        }
      }
      if (s.role === 'learner') {
        const cat = await api('/v1/challenges');
        const c = cat.items.find(x => x.id === id);
        if (c && typeof c.best_score === 'number') {
          const best = $('#best');
          best.replaceChildren(el('span', { class: 'status ' + scoreClass(c.best_score, c.max_score, true), text: 'Your best: ' + c.best_score + ' / ' + c.max_score }));
          best.hidden = false;
        }
      }
    } catch (e) {
      const box = $('#attempts');
      $('#attempts-panel').hidden = false;
      box.replaceChildren(el('p', { class: 'alert error', text: 'Your attempts could not be loaded: ' + explain(e) }));
    }
  })();
})();
