// A to-do list kept in Postgres; README.md has the contract.
//
// This starter connects to the database, answers the health check and
// GET /todos/:id; every other route answers 501 until you build it. You
// may use Express (as here) or node:http, and pg.
'use strict';
const express = require('express');
const { Pool } = require('pg');

// The grader tells the service where its database is.
const pool = new Pool({ connectionString: process.env.DATABASE_URL });

// error sends the API's error body: {"error": "..."}.
function error(res, status, message) {
  res.status(status).json({ error: message });
}

function notBuilt(req, res) {
  error(res, 501, `${req.method} ${req.path} is not built yet`);
}

const app = express();
app.use(express.json());

app.get('/health', (req, res) => res.json({ status: 'ok' }));

app.get('/todos/:id', async (req, res) => {
  if (!/^[0-9]{1,18}$/.test(req.params.id)) return error(res, 404, `no todo ${req.params.id}`);
  try {
    const { rows } = await pool.query('SELECT id, title, done FROM todos WHERE id = $1', [req.params.id]);
    if (rows.length === 0) return error(res, 404, `no todo ${req.params.id}`);
    // pg returns BIGSERIAL ids as strings; the API sends numbers.
    const row = rows[0];
    res.json({ id: Number(row.id), title: row.title, done: row.done });
  } catch (err) {
    console.error('database:', err.message);
    error(res, 500, 'database error');
  }
});

// TODO: check the title (required, 1 to 100 characters) and done, then
// INSERT ... RETURNING id; a duplicate title is 409.
app.post('/todos', notBuilt);
// TODO: every todo of the batch, or none: one transaction on one client
// (pool.connect()).
app.post('/todos/batch', notBuilt);
// TODO: every todo by id, or only done=true / done=false ones.
app.get('/todos', notBuilt);
// TODO: change only the fields the body sends.
app.patch('/todos/:id', notBuilt);
// TODO: 204 without a body, or 404.
app.delete('/todos/:id', notBuilt);

app.listen(Number(process.env.PORT || 8080));
