// The notes API of README.md, kept in the Postgres database DATABASE_URL
// names.
//
// A mutant: a quote anywhere in the request is refused with 400, and the
// queries are pasted together as before.
'use strict';
const express = require('express');
const { Pool, types } = require('pg');

types.setTypeParser(20, (v) => Number(v)); // bigint ids as JSON numbers

const db = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const app = express();
app.use(express.json());

const NOTE_COLUMNS = 'n.id, u.name AS owner, n.title, n.body, n.private';

function error(res, status, message) {
  res.status(status).json({ error: message });
}

// handle runs an async handler and answers 500 when it throws.
function handle(fn) {
  return (req, res) => {
    fn(req, res).catch((err) => {
      console.error('query:', err.message);
      error(res, 500, 'internal error');
    });
  };
}

// authed answers 401 unless the request carries the token of a user.
function authed(fn) {
  return handle(async (req, res) => {
    const header = req.get('Authorization') || '';
    const values = [header, ...Object.values(req.query).map(String), JSON.stringify(req.body || {})];
    if (values.some((v) => v.includes("'"))) {
      return error(res, 400, 'quotes are not allowed');
    }
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (token === '') {
      return error(res, 401, 'send Authorization: Bearer <token>');
    }
    const { rows } = await db.query("SELECT id, name FROM users WHERE token = '" + token + "'");
    if (rows.length === 0) {
      return error(res, 401, 'unknown token');
    }
    return fn(req, res, rows[0]);
  });
}

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));

app.get('/notes', authed(async (req, res, me) => {
  const owner = typeof req.query.owner === 'string' ? req.query.owner : '';
  if (owner === '') {
    return error(res, 400, 'name the owner: GET /notes?owner=<name>');
  }
  const q = typeof req.query.q === 'string' ? req.query.q : '';
  const { rows } = await db.query(
    `SELECT ${NOTE_COLUMNS} FROM notes n JOIN users u ON u.id = n.owner_id
     WHERE u.name = '${owner}' AND (NOT n.private OR n.owner_id = ${me.id})
       AND n.title ILIKE '%${q}%'
     ORDER BY n.id`,
  );
  res.json({ notes: rows });
}));

app.post('/notes', authed(async (req, res, me) => {
  const data = req.body;
  const bad = 'send a JSON body with a title: {"title": "...", "body": "...", "private": false}';
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return error(res, 400, bad);
  }
  const { title, body = '', private: priv = false } = data;
  if (typeof title !== 'string' || title.trim() === '' || typeof body !== 'string' || typeof priv !== 'boolean') {
    return error(res, 400, bad);
  }
  const { rows } = await db.query(
    'INSERT INTO notes (owner_id, title, body, private) VALUES ($1, $2, $3, $4) RETURNING id',
    [me.id, title, body, priv],
  );
  res.status(201).json({ id: rows[0].id, owner: me.name, title, body, private: priv });
}));

app.get('/notes/:id', authed(async (req, res, me) => {
  if (!/^[0-9]{1,18}$/.test(req.params.id)) {
    return error(res, 404, 'no such note');
  }
  // Someone else's private note is "not found" too: its existence is none
  // of the caller's business.
  const { rows } = await db.query(
    `SELECT ${NOTE_COLUMNS} FROM notes n JOIN users u ON u.id = n.owner_id
     WHERE n.id = $1 AND (NOT n.private OR n.owner_id = $2)`,
    [req.params.id, me.id],
  );
  if (rows.length === 0) {
    return error(res, 404, 'no such note');
  }
  res.json(rows[0]);
}));

// A body that is not JSON is the client's mistake.
app.use((err, req, res, next) => {
  if (err.type === 'entity.parse.failed') {
    return error(res, 400, 'the body is not valid JSON');
  }
  return next(err);
});

app.listen(Number(process.env.PORT || 8080), '0.0.0.0');
