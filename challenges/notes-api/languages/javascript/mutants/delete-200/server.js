// Notes API: a JSON REST API for notes, kept in memory (see README.md).
'use strict';
const express = require('express');

const notes = new Map(); // id -> note, in creation order
let nextId = 0;

function error(res, status, code, message) {
  res.status(status).json({ error: { code, message } });
}

function notFound(res, id) {
  error(res, 404, 'not_found', 'no note with id ' + id);
}

// validate returns {title, body} or answers 400 and returns null.
function validate(req, res) {
  const data = req.body;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    error(res, 400, 'invalid_json', 'the body must be a JSON object');
    return null;
  }
  let { title, body } = data;
  if (title != null && typeof title !== 'string') {
    error(res, 400, 'validation_failed', 'title must be a string');
    return null;
  }
  if (body != null && typeof body !== 'string') {
    error(res, 400, 'validation_failed', 'body must be a string');
    return null;
  }
  title = (title || '').trim();
  if (title === '') {
    error(res, 400, 'validation_failed', 'title is required');
    return null;
  }
  if ([...title].length > 200) {
    error(res, 400, 'validation_failed', 'title must be at most 200 characters');
    return null;
  }
  return { title, body: body || '' };
}

// queryInt reads a whole number from the query, or returns null when it
// is not one within [low, high].
function queryInt(req, name, def, low, high) {
  const v = req.query[name];
  if (v === undefined) return def;
  if (typeof v !== 'string' || !/^[0-9]+$/.test(v)) return null;
  const n = Number(v);
  return n >= low && n <= high ? n : null;
}

const app = express();
app.use(express.json({ type: () => true }));

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));

app.post('/notes', (req, res) => {
  const input = validate(req, res);
  if (!input) return;
  nextId++;
  const now = new Date().toISOString();
  const note = { id: String(nextId), title: input.title, body: input.body, created_at: now, updated_at: now };
  notes.set(note.id, note);
  res.status(201).json(note);
});

app.get('/notes', (req, res) => {
  const limit = queryInt(req, 'limit', 10, 1, 100);
  if (limit === null) return error(res, 400, 'invalid_query', 'limit must be a number from 1 to 100');
  const offset = queryInt(req, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  if (offset === null) return error(res, 400, 'invalid_query', 'offset must be a number from 0');
  const items = [...notes.values()].slice(offset, offset + limit);
  res.json({ items, total: notes.size, limit, offset });
});

app.get('/notes/:id', (req, res) => {
  const note = notes.get(req.params.id);
  if (!note) return notFound(res, req.params.id);
  res.json(note);
});

app.put('/notes/:id', (req, res) => {
  const note = notes.get(req.params.id);
  if (!note) return notFound(res, req.params.id);
  const input = validate(req, res);
  if (!input) return;
  Object.assign(note, { title: input.title, body: input.body, updated_at: new Date().toISOString() });
  res.json(note);
});

app.delete('/notes/:id', (req, res) => {
  if (!notes.delete(req.params.id)) return notFound(res, req.params.id);
  res.status(200).json({});
});

// A body that is not JSON reaches here from express.json.
app.use((err, req, res, next) => {
  if (err.type === 'entity.parse.failed') return error(res, 400, 'invalid_json', 'the body is not valid JSON');
  error(res, err.status || 500, 'error', err.message);
});

const port = Number(process.env.PORT || 8080);
app.listen(port, () => console.log('notes listening on :' + port));
