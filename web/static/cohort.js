// A cohort at a glance: best scores (learners × challenges), the
// leaderboard, failure-rate pages, exports, token revocation and regrade
// previews.
'use strict';
(async () => {
  const { $, $$, el, api, requireSession, show, explain, paths, when, scoreClass, download, isInstructor } = GB;
  const s = requireSession();
  if (!s) return;
  const id = $('#cohort').dataset.cohort;
  const base = '/v1/cohorts/' + encodeURIComponent(id);
  const errorBox = $('#cohort-error');
  if (!isInstructor(s)) {
    show(errorBox, 'The cohort pages are for instructors; you are signed in as ' + s.subject + ' (' + s.role + ').');
    $('#overview').replaceChildren();
    return;
  }

  let cohort, report;
  try {
    [cohort, report] = await Promise.all([api(base), api(base + '/report?format=json')]);
  } catch (e) {
    $('#overview').replaceChildren();
    show(errorBox, e.status === 404 ? 'There is no cohort ' + id + '.' : 'The cohort could not be loaded: ' + explain(e), true);
    return;
  }

  const title = cohort.name || cohort.id;
  document.title = title + ' · grader';
  $('#cohort-title').textContent = title;
  $('#crumb').textContent = title;
  const learners = cohort.learners || [];
  const meta = [learners.length + ' learner' + (learners.length === 1 ? '' : 's'), (cohort.challenges || []).length + ' challenge' + ((cohort.challenges || []).length === 1 ? '' : 's')];
  if (cohort.due_at) meta.push('due ' + when(cohort.due_at));
  meta.push('report of ' + when(report.generated_at));
  $('#cohort-meta').textContent = meta.join(' · ');

  const challenges = report.challenges || [];
  renderOverview();

  function renderOverview() {
    const box = $('#overview');
    if (!learners.length || !challenges.length) {
      box.replaceChildren(el('p', { class: 'empty', text: learners.length ? 'This cohort has no challenges.' : 'This cohort has no learners yet.' }));
      return;
    }
    const rows = new Map();
    for (const r of report.rows || []) rows.set(r.learner + '\u0000' + r.challenge, r);
    const full = new Map(challenges.map(c => [c.id, 0]));
    const body = learners.map(l => el('tr', null,
      el('th', { scope: 'row', text: l }),
      challenges.map(c => {
        const r = rows.get(l + '\u0000' + c.id);
        const attempts = r ? r.attempts : 0;
        const max = r && r.max_score ? r.max_score : c.max_score;
        if (!attempts) {
          return el('td', null, el('span', { class: 'cell score-none' }, '—', el('span', { class: 'attempts', text: 'not attempted' })));
        }
        if (r.best_score >= max) full.set(c.id, full.get(c.id) + 1);
        const content = [r.best_score + ' / ' + max, el('span', { class: 'attempts', text: attempts + ' attempt' + (attempts === 1 ? '' : 's') })];
        const cls = 'cell ' + scoreClass(r.best_score, max, true);
        return el('td', null, r.best_submission
          ? el('a', { class: cls, href: paths.submission(r.best_submission), 'aria-label': l + ', ' + c.title + ': ' + r.best_score + ' of ' + max + ' points, ' + attempts + ' attempts' }, content)
          : el('span', { class: cls }, content));
      })));
    box.replaceChildren(el('table', { class: 'grid', id: 'cohort-table' },
      el('caption', { class: 'sr-only', text: 'Best score of each learner at each challenge' }),
      el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Learner' }),
        challenges.map(c => el('th', { scope: 'col' }, c.title || c.id, el('span', { class: 'help', text: ' /' + c.max_score }))))),
      el('tbody', null, body),
      el('tfoot', null, el('tr', null, el('th', { scope: 'row', text: 'Full marks' }),
        challenges.map(c => el('td', null, el('span', { class: 'cell', text: full.get(c.id) + ' of ' + learners.length })))))));
  }

  // Challenge pickers and failure-rate links.
  for (const sel of [$('#board-challenge'), $('#regrade-challenge')]) {
    for (const c of challenges) sel.append(el('option', { value: c.id, text: c.title || c.id }));
  }
  $('#rates-links').replaceChildren(...challenges.map(c =>
    el('li', null, el('a', { href: paths.cohortTests(id, c.id), text: 'Failure rates per test: ' + (c.title || c.id) }))));

  // Leaderboard.
  const boardBox = $('#board');
  async function loadBoard() {
    const ch = $('#board-challenge').value;
    if (!ch) { boardBox.replaceChildren(); return; }
    try {
      const b = await api(base + '/leaderboard?challenge=' + encodeURIComponent(ch));
      const entries = b.entries || [];
      boardBox.replaceChildren(entries.length
        ? el('table', { class: 'data', id: 'leaderboard' },
          el('thead', null, el('tr', null, el('th', { scope: 'col', class: 'num', text: 'Rank' }), el('th', { scope: 'col', text: 'Learner' }),
            el('th', { scope: 'col', class: 'num', text: 'Score' }), el('th', { scope: 'col', text: 'Graded' }))),
          el('tbody', null, entries.map(e => el('tr', null, el('td', { class: 'num', text: String(e.rank) }), el('td', { text: e.learner }),
            el('td', { class: 'num', text: e.score + ' / ' + e.max_score }), el('td', { text: when(e.graded_at) })))))
        : el('p', { class: 'empty', text: 'Nobody in the cohort has a graded submission yet.' }));
    } catch (e) {
      boardBox.replaceChildren(el('p', { class: 'alert error', text: 'The leaderboard could not be loaded: ' + explain(e) }));
    }
  }
  $('#board-challenge').addEventListener('change', loadBoard);
  loadBoard();

  // Learner tokens: one revoke button per learner.
  const tokensError = $('#tokens-error');
  function renderTokens() {
    $('#tokens').replaceChildren(learners.length
      ? el('table', { class: 'data', id: 'tokens-table' },
        el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Learner' }), el('th', { scope: 'col', text: 'Token' }))),
        el('tbody', null, learners.map(l => el('tr', null, el('th', { scope: 'row', text: l }),
          el('td', null, el('button', { type: 'button', class: 'secondary', 'data-revoke': l, 'aria-label': 'Revoke the token of ' + l, text: 'Revoke token' }))))))
      : el('p', { class: 'empty', text: 'This cohort has no learners yet.' }));
  }
  async function revoke(button) {
    const learner = button.dataset.revoke;
    show(tokensError, '');
    button.disabled = true;
    try {
      await api(base + '/tokens/' + encodeURIComponent(learner), { method: 'DELETE' });
      button.replaceWith(el('span', { class: 'state', text: 'Revoked' }));
    } catch (e) {
      button.disabled = false;
      if (e.status === 404) button.replaceWith(el('span', { class: 'help', text: 'No token to revoke' }));
      else show(tokensError, 'The token of ' + learner + ' could not be revoked: ' + explain(e));
    }
  }
  renderTokens();
  $('#tokens').addEventListener('click', ev => {
    const b = ev.target.closest('[data-revoke]');
    if (b) revoke(b);
  });

  // Exports.
  const exportError = $('#export-error');
  const ext = { csv: 'csv', junit: 'xml', json: 'json' };
  for (const b of $$('[data-export]')) {
    b.addEventListener('click', async () => {
      show(exportError, '');
      const f = b.dataset.export;
      try {
        await download(base + '/report?format=' + f, id + '-report.' + ext[f]);
      } catch (e) {
        show(exportError, 'The report could not be downloaded: ' + explain(e));
      }
    });
  }

  // Regrade previews.
  const regradeBox = $('#regrade');
  const regradeError = $('#regrade-error');
  let polling = null;
  function renderRegrade(rg) {
    const parts = [];
    if (rg.state === 'running' || rg.state === 'applying') {
      if (rg.state === 'applying') {
        parts.push(el('p', { class: 'state', text: 'Applying the new scores…' }));
        regradeBox.replaceChildren(...parts);
        return;
      }
      parts.push(el('p', { class: 'state', text: 'Regrading ' + rg.challenge + ': ' + rg.done + ' of ' + rg.total + ' submissions…' }),
        el('progress', { max: String(Math.max(rg.total, 1)), value: String(rg.done), 'aria-label': 'Regrade progress' }));
    } else {
      const changes = rg.changes || [];
      parts.push(el('p', { class: rg.state === 'applied' ? 'alert ok' : 'state',
        text: (rg.state === 'applied' ? 'Applied: ' : 'Preview of ' + rg.challenge + ' at version ' + rg.version + ': ') +
          changes.length + ' score' + (changes.length === 1 ? '' : 's') + ' would change, ' + rg.unchanged + ' unchanged' + (rg.errors ? ', ' + rg.errors + ' could not be regraded' : '') + '.' }));
      if (changes.length) {
        parts.push(el('div', { class: 'table-wrap' }, el('table', { class: 'data', id: 'regrade-changes' },
          el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Learner' }), el('th', { scope: 'col', class: 'num', text: 'Now' }),
            el('th', { scope: 'col', class: 'num', text: 'After' }), el('th', { scope: 'col', text: 'Submission' }))),
          el('tbody', null, changes.map(c => el('tr', null, el('td', { text: c.learner }),
            el('td', { class: 'num', text: c.old_score + ' / ' + c.max_score }),
            el('td', { class: 'num', text: c.new_score + ' / ' + c.max_score }),
            el('td', null, el('a', { href: paths.submission(c.submission), text: c.submission }))))))));
      }
      if ((rg.failed || []).length) {
        parts.push(el('p', { class: 'alert warn', text: 'Could not be graded again (their results stay as they are): ' + rg.failed.join(', ') + '.' }));
      }
      if (rg.state === 'previewed' && !changes.length) {
        parts.push(el('p', { class: 'help', text: 'No score would change: there is nothing to apply.' }));
      }
      if (rg.state === 'previewed' && rg.total > 0 && rg.outdated === 0) {
        parts.push(el('p', { class: 'help', text: 'Every result was already graded with this version of the challenge. If you changed it, the service has not loaded it yet: reload it (SIGHUP to grader serve and every worker, or a restart), then preview again.' }));
      }
      if (rg.state === 'previewed' && changes.length) {
        parts.push(el('p', null, el('button', { type: 'button', id: 'apply', onclick: () => apply(rg) , text: 'Apply these scores' })));
      }
    }
    regradeBox.replaceChildren(...parts);
  }
  async function poll(rid) {
    clearTimeout(polling);
    try {
      const rg = await api(base + '/regrades/' + encodeURIComponent(rid));
      renderRegrade(rg);
      if (rg.state === 'running' || rg.state === 'applying') polling = setTimeout(() => poll(rid), 1500);
    } catch (e) {
      show(regradeError, 'The regrade could not be read: ' + explain(e));
    }
  }
  async function apply(rg) {
    show(regradeError, '');
    try {
      const done = await api(base + '/regrades/' + encodeURIComponent(rg.id) + '/apply', { method: 'POST' });
      renderRegrade(done);
      if (done.state === 'applying') polling = setTimeout(() => poll(rg.id), 1500);
    } catch (e) {
      show(regradeError, 'The regrade could not be applied: ' + explain(e));
    }
  }
  $('#regrade-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    show(regradeError, '');
    try {
      const rg = await api(base + '/regrades', { method: 'POST', body: JSON.stringify({ challenge: $('#regrade-challenge').value }), headers: { 'Content-Type': 'application/json' } });
      const q = new URLSearchParams(location.search);
      q.set('regrade', rg.id);
      history.replaceState(null, '', location.pathname + '?' + q);
      renderRegrade(rg);
      if (rg.state === 'running') polling = setTimeout(() => poll(rg.id), 1000);
    } catch (e) {
      show(regradeError, 'The regrade could not start: ' + explain(e));
    }
  });
  const rid = new URLSearchParams(location.search).get('regrade');
  if (rid) poll(rid);
})();
