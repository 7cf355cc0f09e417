// Accounts, sessions and private notes as a JSON API; README.md has the
// contract.
//
// This starter answers the health check; every other route answers 501
// until you build it. You may use Node.js's built-in modules (node:crypto
// has what you need) and Express, which the grader has offline.
'use strict';
const express = require('express');

function todo(req, res) {
  const message = req.method + ' ' + req.path + ' is not built yet';
  res.status(501).json({ error: { code: 'not_implemented', message } });
}

const app = express();
app.use(express.json());

// TODO: create the admin account from ADMIN_USERNAME and ADMIN_PASSWORD at
// start, storing a salted hash of the password, never the password.

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));
// TODO: validate, refuse a taken username with 409, answer 201.
app.post('/signup', todo);
// TODO: answer a new token, or the same 401 for an unknown user and a wrong
// password.
app.post('/login', todo);
// TODO: every route below needs "Authorization: Bearer <token>" (401
// without a valid one; 403 when the caller may not).
app.post('/logout', todo);
app.get('/me', todo);
app.post('/notes', todo);
app.get('/notes', todo);
app.get('/notes/:id', todo);
app.get('/admin/users', todo);

app.listen(Number(process.env.PORT || 8080));
