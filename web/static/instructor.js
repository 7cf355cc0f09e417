// The instructor's home: the cohorts, and a form for a new one.
'use strict';
(async () => {
  const { $, $$, el, api, requireSession, show, explain, paths, when, isInstructor } = GB;
  const s = requireSession();
  if (!s) return;
  const box = $('#cohorts');
  if (!isInstructor(s)) {
    box.replaceChildren(el('p', { class: 'alert info', text: 'The cohort pages are for instructors; you are signed in as ' + s.subject + ' (' + s.role + ').' }));
    $('#new-title').parentElement.hidden = true;
    return;
  }

  try {
    const res = await api('/v1/cohorts');
    const list = res.cohorts || [];
    if (!list.length) {
      box.replaceChildren(el('p', { class: 'empty', text: 'No cohorts yet: create the first one below.' }));
    } else {
      box.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { class: 'data', id: 'cohort-list' },
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: 'Cohort' }),
          el('th', { scope: 'col', class: 'num', text: 'Learners' }),
          el('th', { scope: 'col', text: 'Challenges' }),
          el('th', { scope: 'col', text: 'Due' }))),
        el('tbody', null, list.map(c => el('tr', null,
          el('td', null, el('a', { href: paths.cohort(c.id), text: c.name || c.id }), el('span', { class: 'help', text: ' ' + c.id })),
          el('td', { class: 'num', text: String((c.learners || []).length) }),
          el('td', { text: (c.challenges || []).join(', ') }),
          el('td', { text: c.due_at ? when(c.due_at) : '' })))))));
    }
  } catch (e) {
    box.replaceChildren();
    show($('#cohorts-error'), 'The cohorts could not be loaded: ' + explain(e));
  }

  const form = $('#new-cohort');
  const errorBox = $('#new-error');
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const id = $('#cohort-id').value.trim();
    const name = $('#cohort-name').value.trim();
    const learners = $('#cohort-learners').value.split(/[\s,]+/).filter(Boolean);
    const challenges = $$('input[name="challenge"]:checked', form).map(i => i.value);
    const due = $('#cohort-due').value;
    if (!id || !name) { show(errorBox, 'Give the cohort an id and a name.', true); return; }
    if (!challenges.length) { show(errorBox, 'Choose at least one challenge.', true); return; }
    const body = { id, name, learners, challenges };
    if (due) body.due_at = new Date(due).toISOString();
    const button = $('button[type="submit"]', form);
    button.disabled = true;
    try {
      const c = await api('/v1/cohorts', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
      location.assign(paths.cohort(c.id));
    } catch (e) {
      button.disabled = false;
      show(errorBox, e.code === 'conflict' ? 'A cohort with the id ' + id + ' exists already: choose another id.' : explain(e), true);
    }
  });
})();
