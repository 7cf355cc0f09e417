// A submission: live grading progress from its event stream, then the
// result as the API gives it to the signed-in user (for a learner, hidden
// tests only as counts and points).
'use strict';
(async () => {
  const { $, el, api, requireSession, show, explain, paths, follow, statusBadge, testBadge, statusWords, when, ms, languageName, languageOf } = GB;
  const s = requireSession();
  if (!s) return;
  const id = decodeURIComponent(location.pathname.split('/').pop());
  const errorBox = $('#sub-error');

  let rec;
  try {
    rec = await api('/v1/submissions/' + encodeURIComponent(id));
  } catch (e) {
    $('#sub-title').textContent = 'Submission not found';
    show(errorBox, e.status === 404
      ? 'There is no submission ' + id + (s.role === 'learner' ? ' among yours.' : '.')
      : 'The submission could not be loaded: ' + explain(e), true);
    return;
  }

  // The challenge, for its title and how many tests there are.
  let challenge = null;
  try {
    challenge = await api('/v1/challenges/' + encodeURIComponent(rec.challenge));
  } catch { /* the page works without it */ }
  const title = challenge ? challenge.challenge.title : rec.challenge;
  const totalTests = challenge ? challenge.visible_tests.length + challenge.hidden_tests : 0;

  document.title = title + ', attempt ' + rec.attempt + ' · grader';
  $('#sub-title').textContent = title + ': attempt ' + rec.attempt;
  $('#crumb').textContent = title + ', attempt ' + rec.attempt;
  const by = s.role === 'learner' ? '' : 'By ' + rec.learner + ' · ';
  const cohort = rec.cohort ? ' · cohort ' + rec.cohort : '';
  // The language shows once the record or its result says it (records
  // made before languages existed do not).
  const language = el('span', { id: 'sub-language' });
  showLanguage(languageOf(rec));
  $('#sub-meta').replaceChildren(by + 'Submitted ' + when(rec.created_at) + cohort + ' · ', language,
    el('a', { href: paths.challenge(rec.challenge), text: 'Challenge page' }));

  function showLanguage(l) {
    if (l) language.textContent = 'In ' + languageName(l) + ' · ';
  }
  if (rec.kind === 'regrade' && rec.regrade_of) {
    $('#sub-meta').after(el('p', { class: 'alert info' }, 'This is a regrade: ',
      el('a', { href: paths.submission(rec.regrade_of), text: 'the original submission' }), ' graded again after the challenge changed.'));
  }
  if (rec.superseded_by) {
    $('#sub-meta').after(el('p', { class: 'alert info' }, 'A regrade replaced this result in the standings: ',
      el('a', { href: paths.submission(rec.superseded_by), text: 'see the new result' }), '.'));
  }
  $('#again').setAttribute('href', paths.challenge(rec.challenge));

  if (rec.result) {
    renderResult(rec.result);
    return;
  }
  watch();

  // watch follows the grading as it happens.
  function watch() {
    const panel = $('#progress');
    const state = $('#progress-state');
    const bar = $('#progress-bar');
    const log = $('#progress-log');
    panel.hidden = false;
    let start = null;
    let finished = 0;
    if (totalTests) bar.max = totalTests;
    else bar.removeAttribute('value');

    const line = (ev, ...what) => {
      const at = ev.at ? new Date(ev.at) : new Date();
      if (start === null) start = at;
      const secs = Math.max(0, (at - start) / 1000);
      log.append(el('li', null, el('span', { class: 'when', text: '+' + secs.toFixed(1) + ' s' }), el('span', { class: 'what' }, what)));
      log.scrollTop = log.scrollHeight;
    };
    const suite = ev => (ev.suite ? ' (suite ' + ev.suite + ')' : '');

    follow(rec.id, msg => {
      let ev;
      try { ev = JSON.parse(msg.data); } catch { return false; }
      switch (msg.type) {
        case 'queued':
          state.textContent = 'Queued: waiting for a free grader…';
          line(ev, 'Queued');
          break;
        case 'started':
          state.textContent = 'A grader took it; starting…';
          line(ev, 'A grader took it');
          break;
        case 'phase_started':
          state.textContent = (ev.phase === 'build' ? 'Building your code' : 'Running the tests') + suite(ev) + '…';
          line(ev, ev.phase === 'build' ? 'Building' : 'Running tests', suite(ev));
          break;
        case 'phase_finished':
          if (ev.ok) line(ev, ev.phase === 'build' ? 'Built' : 'Tests ran', suite(ev), ' in ' + ms(ev.duration_ms));
          else line(ev, el('strong', { text: (ev.phase === 'build' ? 'Build failed' : 'Run stopped') + suite(ev) }), ev.message ? ': ' + ev.message : '');
          break;
        case 'test_started':
          if (ev.test) state.textContent = 'Running: ' + ev.test.name + '…';
          break;
        case 'test_finished':
          if (!ev.test) break;
          finished++;
          if (totalTests) bar.value = Math.min(finished, totalTests);
          line(ev, testBadge(ev.test.status), ' ', ev.test.name, ' ', el('span', { class: 'points', text: ev.test.points + ' / ' + ev.test.max_points + ' pt' }));
          state.textContent = finished + (totalTests ? ' of ' + totalTests : '') + ' tests done…';
          break;
        case 'retrying':
          state.textContent = 'The service hit a problem of its own and will try again shortly (not your fault)…';
          line(ev, el('strong', { text: 'Retrying' }), ': the service hit a problem of its own');
          break;
        case 'done':
          line(ev, 'Done');
          state.textContent = 'Graded in ' + (start === null ? 0 : Math.max(0, ((ev.at ? new Date(ev.at) : new Date()) - start) / 1000)).toFixed(1) + ' s.';
          bar.hidden = true;
          $('#progress-title').textContent = 'Grading log';
          panel.classList.add('finished');
          if (ev.result) renderResult(ev.result);
          else reload();
          return true;
      }
      return false;
    }, (st, err) => {
      if (st === 'reconnecting') state.textContent = 'Connection lost; reconnecting…';
      if (st === 'failed') show(errorBox, 'Progress cannot be followed: ' + explain(err), true);
    });
  }

  // reload reads the submission again, for a done event without a result.
  async function reload() {
    try {
      const r = await api('/v1/submissions/' + encodeURIComponent(rec.id));
      if (r.result) renderResult(r.result);
      else show(errorBox, 'Grading finished but its result is not there yet; reload the page in a moment.');
    } catch (e) {
      show(errorBox, 'The result could not be loaded: ' + explain(e), true);
    }
  }

  // feedbackWords says what a cohort's feedback policy held back of a
  // learner's result, and when more is shown.
  function feedbackWords(f) {
    const when = f.more_at ? new Date(f.more_at).toLocaleString() : '';
    switch (f.level) {
      case 'score':
        return 'Your course shows only the score until ' + (when ? 'the due date, ' + when : 'further notice') +
          (when ? ': the tests\' names and messages appear then.' : '.');
      case 'all':
        return 'The due date has passed: every test is shown, hidden ones included.' + (when ? ' More is shown after ' + when + '.' : '');
      default:
        return when ? 'More of this result is shown after the due date, ' + when + '.' : '';
    }
  }

  function renderResult(res) {
    showLanguage(languageOf(rec) || res.language);
    const section = $('#result');
    const full = res.status === 'passed' && res.score === res.max_score;
    const kind = res.status === 'error' ? 'error' : full ? 'full' : res.score > 0 ? 'partial' : 'zero';
    const verdict = full ? 'Full marks' : statusWords[res.status] || res.status;
    const card = el('div', { class: 'score-card ' + kind, id: 'score-card' },
      el('div', { class: 'score', text: res.score + ' / ' + res.max_score }),
      el('div', null,
        el('p', { class: 'verdict', text: verdict }),
        res.message ? el('p', { text: res.message }) : null,
        res.status === 'error' ? el('p', { text: 'The grader failed, not your code: this attempt does not count against you. Submit again in a moment.' }) : null,
        res.cached ? el('p', { class: 'cached', text: 'Identical files were graded before (submission ' + res.cached.submission_id + '), so this is that result, given at once: change a file to be graded again.' }) : null,
        res.feedback ? el('p', { class: 'feedback-note', id: 'feedback-note', text: feedbackWords(res.feedback) }) : null));
    $('#result-summary').replaceChildren(card);

    const body = [];
    if (res.build && res.build.text) {
      // A suite can fail to build while another ran: the submission is
      // then failed, not build_failed, and the output still says why.
      const buildFailed = res.status === 'build_failed' || (res.suites || []).some(s => s.status === 'build_failed');
      body.push(el('details', { open: buildFailed },
        el('summary', { text: buildFailed ? 'Build output (why it failed)' : 'Build output' }),
        el('pre', { text: res.build.text + (res.build.truncated ? '\n… (cut short)' : '') })));
    }
    const tests = res.tests || [];
    const suites = new Set(tests.map(t => t.suite));
    const withDetails = tests.some(t => t.message || t.output || (t.subtests && t.subtests.length));
    if (tests.length) {
      const released = res.feedback && res.feedback.level === 'all';
      body.push(el('h3', { text: res.view === 'learner' && !released ? 'Visible tests' : 'Tests' }));
      body.push(el('div', { class: 'table-wrap' }, el('table', { class: 'data tests', id: 'tests' },
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: 'Test' }),
          el('th', { scope: 'col', text: 'Result' }),
          el('th', { scope: 'col', class: 'num', text: 'Points' }),
          withDetails ? el('th', { scope: 'col', text: 'Details' }) : null)),
        el('tbody', null, tests.map(t => testRow(t, suites.size > 1, withDetails))))));
    }
    if (res.hidden && res.feedback && res.feedback.level === 'score') {
      // A cohort's policy shows only the score: every test is summed up.
      const h = res.hidden;
      body.push(el('h3', { text: 'Tests' }));
      body.push(el('p', { id: 'hidden-summary' },
        h.passed + ' of ' + h.total + ' test' + (h.total === 1 ? '' : 's') + ' passed, ' +
        h.points + ' of ' + h.max_points + ' points. Their names and messages are held back by your course' +
        (res.feedback.more_at ? ' until the due date.' : '.')));
    } else if (res.hidden) {
      const h = res.hidden;
      body.push(el('h3', { text: 'Hidden tests' }));
      body.push(el('p', { id: 'hidden-summary' },
        h.passed + ' of ' + h.total + ' hidden test' + (h.total === 1 ? '' : 's') + ' passed, ' +
        h.points + ' of ' + h.max_points + ' points. Their names and messages stay hidden: read the statement again for what they check.'));
    }
    if (!tests.length && !res.hidden && res.status !== 'build_failed') {
      body.push(el('p', { class: 'empty', text: 'No tests ran.' }));
    }
    if (res.service && res.service.text) {
      body.push(el('details', null, el('summary', { text: 'What your program printed' }),
        el('pre', { text: res.service.text + (res.service.truncated ? '\n… (cut short)' : '') })));
    }
    if (res.timings && res.timings.length) {
      body.push(el('details', null, el('summary', { text: 'Timings' }),
        el('ul', null, res.timings.map(p => el('li', { text: p.phase + ': ' + ms(p.duration_ms) })))));
    }
    $('#result-body').replaceChildren(...body);
    section.hidden = false;
    card.setAttribute('tabindex', '-1');
    card.focus();
  }

  function testRow(t, showSuite, withDetails) {
    const details = [];
    if (t.message) details.push(el('p', { class: 'message', text: t.message }));
    if (t.output) {
      details.push(el('details', null, el('summary', { text: 'Output' }),
        el('pre', { text: t.output + (t.output_truncated ? '\n… (cut short)' : '') })));
    }
    if (t.subtests && t.subtests.length) {
      details.push(el('ul', { class: 'subtests' }, t.subtests.map(st =>
        el('li', null, testBadge(st.status), ' ', st.name, st.message ? el('p', { class: 'message', text: st.message }) : null))));
    }
    return el('tr', { dataset: { status: t.status } },
      el('td', { class: 'test-cell' }, showSuite ? el('span', { class: 'help', text: t.suite + ' › ' }) : null, t.name,
        t.visibility === 'hidden' ? el('span', { class: 'help', text: ' (hidden from learners)' }) : null),
      el('td', { class: 'result-cell' }, testBadge(t.status)),
      el('td', { class: 'num', text: t.points + ' / ' + t.max_points }),
      !withDetails ? null : details.length ? el('td', null, details) : el('td', { class: 'empty-cell' }));
  }
})();
