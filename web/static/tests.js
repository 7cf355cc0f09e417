// Failure rates: for one challenge of a cohort, how many learners' best
// submissions fail each test, worst first.
'use strict';
(async () => {
  const { $, el, api, requireSession, show, explain, isInstructor } = GB;
  const s = requireSession();
  if (!s) return;
  const id = $('#cohort').dataset.cohort;
  const base = '/v1/cohorts/' + encodeURIComponent(id);
  const errorBox = $('#rates-error');
  if (!isInstructor(s)) {
    show(errorBox, 'The cohort pages are for instructors; you are signed in as ' + s.subject + ' (' + s.role + ').');
    return;
  }
  const select = $('#rates-challenge');
  const box = $('#rates');
  let cohort;
  try {
    cohort = await api(base);
  } catch (e) {
    show(errorBox, e.status === 404 ? 'There is no cohort ' + id + '.' : 'The cohort could not be loaded: ' + explain(e));
    return;
  }
  $('#crumb-cohort').textContent = cohort.name || cohort.id;
  document.title = 'Failure rates, ' + (cohort.name || cohort.id) + ' · grader';
  for (const c of cohort.challenges || []) select.append(el('option', { value: c, text: c }));
  const want = new URLSearchParams(location.search).get('challenge');
  if (want && (cohort.challenges || []).includes(want)) select.value = want;

  async function load() {
    const ch = select.value;
    if (!ch) { box.replaceChildren(el('p', { class: 'empty', text: 'This cohort has no challenges.' })); return; }
    history.replaceState(null, '', location.pathname + '?challenge=' + encodeURIComponent(ch));
    box.replaceChildren(el('p', { class: 'state', text: 'Loading…' }));
    try {
      const r = await api(base + '/tests?challenge=' + encodeURIComponent(ch));
      show(errorBox, '');
      $('#rates-meta').textContent = 'Which tests of ' + ch + ' the cohort fails most, over the best submissions of ' + r.learners + ' learner' + (r.learners === 1 ? '' : 's') + ' with a graded one.';
      if (!r.learners || !(r.tests || []).length) {
        box.replaceChildren(el('p', { class: 'empty', text: 'No learner of this cohort has a graded submission for ' + ch + ' yet.' }));
        return;
      }
      box.replaceChildren(el('table', { class: 'data', id: 'rates-table' },
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: 'Test' }), el('th', { scope: 'col', text: 'Suite' }), el('th', { scope: 'col', text: 'Visibility' }),
          el('th', { scope: 'col', class: 'num', text: 'Failed' }), el('th', { scope: 'col', class: 'num', text: 'Passed' }),
          el('th', { scope: 'col', text: 'Failure rate' }))),
        el('tbody', null, r.tests.map(t => {
          const pct = Math.round((t.failure_rate || 0) * 100);
          return el('tr', null,
            el('td', { text: t.name }), el('td', { text: t.suite }), el('td', { text: t.visibility }),
            el('td', { class: 'num', text: String(t.failed) }), el('td', { class: 'num', text: String(t.passed) }),
            el('td', null, el('meter', { min: '0', max: '1', low: '0.34', high: '0.67', optimum: '0', value: String(t.failure_rate || 0), 'aria-label': 'failure rate of ' + t.name }), ' ' + pct + '%'));
        }))));
    } catch (e) {
      box.replaceChildren();
      show(errorBox, 'The failure rates could not be loaded: ' + explain(e));
    }
  }
  select.addEventListener('change', load);
  load();
})();
