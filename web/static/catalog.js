// The catalog: the server lists the challenges; this adds the signed-in
// learner's best score at each.
'use strict';
(async () => {
  const { $, $$, api, session, show, explain, scoreClass } = GB;
  const s = session();
  if (!s || s.role !== 'learner') return;
  try {
    const cat = await api('/v1/challenges');
    const byID = new Map(cat.items.map(c => [c.id, c]));
    for (const card of $$('.card[data-challenge]')) {
      const c = byID.get(card.dataset.challenge);
      const dd = $('.best', card);
      if (!c || !dd) continue;
      if (typeof c.best_score === 'number') {
        dd.replaceChildren(GB.el('span', { class: 'status ' + scoreClass(c.best_score, c.max_score, true), text: c.best_score + ' / ' + c.max_score }));
      }
    }
  } catch (e) {
    show($('#catalog-error'), 'Your best scores could not be loaded: ' + explain(e));
  }
})();
