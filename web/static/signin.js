// The sign-in page: checks a token with GET /v1/me, keeps it for this
// tab and goes on to where the user was headed.
'use strict';
(() => {
  const { $, $$, api, show, session, saveSession, explain, isInstructor, localPath } = GB;
  const params = new URLSearchParams(location.search);
  const form = $('#signin-form');
  const input = $('#token');
  const button = $('#signin-button');
  const errorBox = $('#signin-error');

  // next is where to go afterwards: a path on this site only, as the URL
  // parser reads it (see GB.localPath).
  function next(s) {
    const n = localPath(params.get('next') || '', location.origin);
    if (n) return n;
    return isInstructor(s) ? '/instructor' : '/challenges';
  }

  const reasons = {
    rejected: 'Your token was not accepted (the service may have been restarted with other tokens). Sign in again.',
  };
  if (params.get('reason') && reasons[params.get('reason')]) show($('#signin-notice'), reasons[params.get('reason')]);
  else if (params.get('next')) show($('#signin-notice'), 'Sign in to continue.');

  const current = session();
  if (current) {
    $('#signed-in-as').textContent = current.subject + ' (' + current.role + ')';
    $('#continue').setAttribute('href', next(current));
    $('#signed-in').hidden = false;
  }

  async function signIn(token) {
    token = token.trim();
    if (!token) {
      show(errorBox, 'Paste your token first.', true);
      input.focus();
      return;
    }
    button.disabled = true;
    show(errorBox, '');
    try {
      const me = await api('/v1/me', { token });
      const s = { token, subject: me.subject, role: me.role };
      saveSession(s);
      location.assign(next(s));
    } catch (e) {
      button.disabled = false;
      const msg = e.status === 401
        ? 'That token is not valid here. Check that you pasted all of it, or ask your instructor for a new one.'
        : explain(e);
      show(errorBox, msg, true);
    }
  }

  form.addEventListener('submit', ev => {
    ev.preventDefault();
    signIn(input.value);
  });
  for (const b of $$('[data-dev-token]')) {
    b.disabled = false;
    b.addEventListener('click', () => {
      input.value = b.dataset.devToken;
      signIn(b.dataset.devToken);
    });
  }
  button.disabled = false;
  if (!current) input.focus();
})();
