// Attempt history: the signed-in learner's submissions (an instructor's:
// everyone's), newest first, a page at a time.
'use strict';
(async () => {
  const { $, el, api, requireSession, show, explain, paths, stateBadge, when, isInstructor, languageName, languageOf } = GB;
  const s = requireSession();
  if (!s) return;
  const limit = 20;
  const params = new URLSearchParams(location.search);
  const select = $('#filter-challenge');
  const learnerInput = $('#filter-learner');
  const box = $('#history');
  const errorBox = $('#history-error');
  if (isInstructor(s)) $('#history-lead').textContent = 'Every learner\'s submissions, newest first.';

  const titles = new Map();
  try {
    const cat = await api('/v1/challenges');
    for (const c of cat.items) {
      titles.set(c.id, c.title);
      select.append(el('option', { value: c.id, text: c.title }));
    }
  } catch (e) {
    show(errorBox, 'The catalog could not be loaded: ' + explain(e));
  }
  select.value = params.get('challenge') || '';
  learnerInput.value = params.get('learner') || '';

  let offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);

  async function load() {
    const q = new URLSearchParams({ offset: String(offset), limit: String(limit) });
    if (select.value) q.set('challenge', select.value);
    if (isInstructor(s) && learnerInput.value.trim()) q.set('learner', learnerInput.value.trim());
    const shown = new URLSearchParams();
    for (const k of ['challenge', 'learner', 'offset']) if (q.get(k) && q.get(k) !== '0') shown.set(k, q.get(k));
    history.replaceState(null, '', '/submissions' + (shown.toString() ? '?' + shown : ''));
    box.replaceChildren(el('p', { class: 'state', text: 'Loading…' }));
    try {
      const page = await api('/v1/submissions?' + q);
      show(errorBox, '');
      render(page);
    } catch (e) {
      box.replaceChildren();
      show(errorBox, 'Your attempts could not be loaded: ' + explain(e));
    }
  }

  function render(page) {
    $('#older').hidden = page.offset + page.items.length >= page.total;
    $('#newer').hidden = page.offset === 0;
    if (!page.items.length) {
      box.replaceChildren(el('p', { class: 'empty' },
        page.total ? 'No more attempts here.' : (select.value ? 'No attempts at this challenge yet. ' : 'No attempts yet. '),
        page.total ? null : el('a', { href: select.value ? paths.challenge(select.value) : '/challenges', text: select.value ? 'Open the challenge' : 'Pick a challenge' })));
      return;
    }
    const showLearner = isInstructor(s);
    // A language column, once a submission on the page records one.
    const showLanguage = page.items.some(r => languageOf(r));
    box.replaceChildren(
      el('div', { class: 'table-wrap' }, el('table', { class: 'data', id: 'attempts' },
        el('caption', { text: 'Attempts ' + (page.offset + 1) + ' to ' + (page.offset + page.items.length) + ' of ' + page.total }),
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: 'Submitted' }),
          showLearner ? el('th', { scope: 'col', text: 'Learner' }) : null,
          el('th', { scope: 'col', text: 'Challenge' }),
          showLanguage ? el('th', { scope: 'col', text: 'Language' }) : null,
          el('th', { scope: 'col', class: 'num', text: 'Attempt' }),
          el('th', { scope: 'col', text: 'Result' }),
          el('th', { scope: 'col', class: 'num', text: 'Score' }))),
        el('tbody', null, page.items.map(r => el('tr', null,
          el('td', null, el('a', { href: paths.submission(r.id), text: when(r.created_at) })),
          showLearner ? el('td', { text: r.learner }) : null,
          el('td', { text: titles.get(r.challenge) || r.challenge }),
          showLanguage ? el('td', { text: languageOf(r) ? languageName(languageOf(r)) : '' }) : null,
          el('td', { class: 'num', text: String(r.attempt) }),
          el('td', null, stateBadge(r)),
          el('td', { class: 'num', text: r.state === 'graded' ? r.score + ' / ' + r.max_score : '' })))))));
  }

  $('#history-filter').addEventListener('submit', ev => { ev.preventDefault(); offset = 0; load(); });
  select.addEventListener('change', () => { offset = 0; load(); });
  $('#older').addEventListener('click', () => { offset += limit; load(); });
  $('#newer').addEventListener('click', () => { offset = Math.max(0, offset - limit); load(); });
  load();
})();
