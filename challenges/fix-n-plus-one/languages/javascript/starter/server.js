// The blog API of README.md, kept in the Postgres database DATABASE_URL
// names. It answers correctly, but slowly: each post of the feed and each
// author costs queries of its own.
'use strict';
const express = require('express');
const { Pool, types } = require('pg');

types.setTypeParser(20, (v) => Number(v)); // bigint ids and counts as JSON numbers

const db = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const app = express();
app.use(express.json());

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

// rfc3339 writes a timestamp in UTC, to the second, with a Z.
function rfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// parseLimit reads ?limit=: 20 when absent, else a whole number from 1 to
// 100; null for anything else.
function parseLimit(text) {
  if (text === undefined || text === '') {
    return 20;
  }
  if (typeof text !== 'string' || !/^[+-]?[0-9]{1,9}$/.test(text)) {
    return null;
  }
  const n = Number(text);
  return n >= 1 && n <= 100 ? n : null;
}

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));

// The newest posts first, each with its author, its tags and its number of
// comments.
app.get('/posts', handle(async (req, res) => {
  const limit = parseLimit(req.query.limit);
  if (limit === null) {
    return error(res, 400, 'limit must be a whole number from 1 to 100');
  }
  const tag = typeof req.query.tag === 'string' ? req.query.tag : '';
  let result;
  if (tag !== '') {
    result = await db.query(
      `SELECT p.id, p.author_id, p.title, p.published_at
       FROM posts p JOIN post_tags pt ON pt.post_id = p.id JOIN tags t ON t.id = pt.tag_id
       WHERE t.name = $1
       ORDER BY p.published_at DESC, p.id DESC LIMIT $2`,
      [tag, limit],
    );
  } else {
    result = await db.query(
      `SELECT id, author_id, title, published_at
       FROM posts ORDER BY published_at DESC, id DESC LIMIT $1`,
      [limit],
    );
  }
  const posts = [];
  for (const row of result.rows) {
    const author = await db.query('SELECT name FROM authors WHERE id = $1', [row.author_id]);
    const tags = await db.query(
      `SELECT t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
       WHERE pt.post_id = $1 ORDER BY t.name`,
      [row.id],
    );
    const count = await db.query('SELECT count(*) AS n FROM comments WHERE post_id = $1', [row.id]);
    posts.push({
      id: row.id,
      title: row.title,
      published_at: rfc3339(row.published_at),
      author: { id: row.author_id, name: author.rows[0].name },
      tags: tags.rows.map((t) => t.name),
      comment_count: count.rows[0].n,
    });
  }
  res.json({ posts });
}));

// Every author by name, with how many posts they wrote and their newest
// one.
app.get('/authors', handle(async (req, res) => {
  const { rows } = await db.query('SELECT id, name FROM authors ORDER BY name, id');
  const authors = [];
  for (const a of rows) {
    const count = await db.query('SELECT count(*) AS n FROM posts WHERE author_id = $1', [a.id]);
    const latest = await db.query(
      `SELECT id, title FROM posts WHERE author_id = $1
       ORDER BY published_at DESC, id DESC LIMIT 1`,
      [a.id],
    );
    authors.push({
      id: a.id,
      name: a.name,
      post_count: count.rows[0].n,
      latest_post: latest.rows.length > 0 ? latest.rows[0] : null,
    });
  }
  res.json({ authors });
}));

app.post('/posts/:id/comments', handle(async (req, res) => {
  if (!/^[0-9]{1,18}$/.test(req.params.id) || Number(req.params.id) === 0) {
    return error(res, 404, 'no such post');
  }
  const data = req.body;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return error(res, 400, 'send a JSON object such as {"body": "..."}');
  }
  const { body } = data;
  if (typeof body !== 'string' || body.trim() === '') {
    return error(res, 400, 'body must be a non-empty string');
  }
  const { rows } = await db.query(
    `INSERT INTO comments (post_id, body)
     SELECT id, $2 FROM posts WHERE id = $1 RETURNING id`,
    [req.params.id, body],
  );
  if (rows.length === 0) {
    return error(res, 404, 'no such post');
  }
  res.status(201).json({ id: rows[0].id, post_id: Number(req.params.id), body });
}));

// A body that is not JSON is the client's mistake.
app.use((err, req, res, next) => {
  if (err.type === 'entity.parse.failed') {
    return error(res, 400, 'the body is not valid JSON');
  }
  return next(err);
});

app.listen(Number(process.env.PORT || 8080), '0.0.0.0');
