// A to-do list kept in Postgres; README.md has the contract.
//
// This is the reference solution.
'use strict';
const express = require('express');
const { Pool } = require('pg');

const MAX_TITLE = 100;
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const INSERT = 'INSERT INTO todos (title, done) VALUES ($1, $2) RETURNING id, title, done';

// todo turns a row into the API's todo; BIGSERIAL ids come back as
// strings from pg, and are numbers in the API.
function todo(row) {
  return { id: Number(row.id), title: row.title, done: row.done };
}

// error sends the API's error body: {"error": "..."}.
function error(res, status, message) {
  res.status(status).json({ error: message });
}

// check reads the fields of a todo; it returns [fields, problem]. A new
// todo needs a title and is not done unless it says so.
function check(body, isNew) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [null, 'send a JSON object'];
  const fields = {};
  if ('title' in body) {
    const title = body.title;
    if (typeof title !== 'string') return [null, 'title must be a string'];
    if (title.trim() === '') return [null, 'title must not be empty'];
    // Count characters, not UTF-16 units.
    if ([...title].length > MAX_TITLE) return [null, `title must be at most ${MAX_TITLE} characters`];
    fields.title = title;
  } else if (isNew) {
    return [null, 'title is required'];
  }
  if ('done' in body) {
    if (typeof body.done !== 'boolean') return [null, 'done must be true or false'];
    fields.done = body.done;
  } else if (isNew) {
    fields.done = false;
  }
  return [fields, null];
}

// pathId reads :id; null when it is not a number.
function pathId(req) {
  return /^[0-9]{1,18}$/.test(req.params.id) ? req.params.id : null;
}

// fail answers a database error: a duplicate title is 409.
function fail(res, err) {
  if (err.code === '23505') return error(res, 409, 'a todo with this title exists already');
  console.error('database:', err.message);
  return error(res, 500, 'database error');
}

const app = express();
app.use(express.json());

app.get('/health', (req, res) => res.json({ status: 'ok' }));

app.post('/todos', async (req, res) => {
  const [fields, problem] = check(req.body, true);
  if (problem) return error(res, 400, problem);
  try {
    const { rows } = await pool.query(INSERT, [fields.title, fields.done]);
    res.status(201).json(todo(rows[0]));
  } catch (err) {
    fail(res, err);
  }
});

app.post('/todos/batch', async (req, res) => {
  const items = req.body && req.body.todos;
  if (!Array.isArray(items) || items.length === 0) {
    return error(res, 400, 'send {"todos": [...]} with at least one todo');
  }
  const checked = [];
  for (let i = 0; i < items.length; i++) {
    const [fields, problem] = check(items[i], true);
    if (problem) return error(res, 400, `todos[${i}]: ${problem}`);
    checked.push(fields);
  }
  // One client for the whole transaction: a pool's query() may use
  // another connection each time.
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = [];
    for (const f of checked) {
      const { rows } = await client.query(INSERT, [f.title, f.done]);
      out.push(todo(rows[0]));
    }
    await client.query('COMMIT');
    res.status(201).json({ todos: out });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    fail(res, err);
  } finally {
    client.release();
  }
});

app.get('/todos', async (req, res) => {
  const done = req.query.done;
  let sql = 'SELECT id, title, done FROM todos';
  const args = [];
  if (done !== undefined) {
    if (done !== 'true' && done !== 'false') return error(res, 400, 'done must be true or false');
    sql += ' WHERE done = $1';
    args.push(done === 'true');
  }
  try {
    const { rows } = await pool.query(sql + ' ORDER BY id', args);
    res.json({ todos: rows.map(todo) });
  } catch (err) {
    fail(res, err);
  }
});

app.get('/todos/:id', async (req, res) => {
  const id = pathId(req);
  if (id === null) return error(res, 404, `no todo ${req.params.id}`);
  try {
    const { rows } = await pool.query('SELECT id, title, done FROM todos WHERE id = $1', [id]);
    if (rows.length === 0) return error(res, 404, `no todo ${id}`);
    res.json(todo(rows[0]));
  } catch (err) {
    fail(res, err);
  }
});

app.patch('/todos/:id', async (req, res) => {
  const id = pathId(req);
  if (id === null) return error(res, 404, `no todo ${req.params.id}`);
  const [fields, problem] = check(req.body, false);
  if (problem) return error(res, 400, problem);
  try {
    // COALESCE keeps what was not sent.
    const { rows } = await pool.query(
      'UPDATE todos SET title = COALESCE($2, title), done = COALESCE($3, done) WHERE id = $1 RETURNING id, title, done',
      [id, fields.title ?? null, fields.done ?? null]);
    if (rows.length === 0) return error(res, 404, `no todo ${id}`);
    res.json(todo(rows[0]));
  } catch (err) {
    fail(res, err);
  }
});

app.delete('/todos/:id', async (req, res) => {
  const id = pathId(req);
  if (id === null) return error(res, 404, `no todo ${req.params.id}`);
  try {
    const { rowCount } = await pool.query('DELETE FROM todos WHERE id = $1', [id]);
    if (rowCount === 0) return error(res, 404, `no todo ${id}`);
    res.status(204).end();
  } catch (err) {
    fail(res, err);
  }
});

// A body that is not JSON is 400, in the API's error shape.
app.use((err, req, res, next) => {
  if (err.type === 'entity.parse.failed') return error(res, 400, 'the body is not JSON');
  next(err);
});

app.listen(Number(process.env.PORT || 8080));
