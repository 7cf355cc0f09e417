// The blog API of README.md. Mutant: fast by a cache: each page of the
// feed is kept in memory by its URL and never refreshed, so a new comment
// is not counted.
'use strict';
const express = require('express');
const { Pool, types } = require('pg');

types.setTypeParser(20, (v) => Number(v)); // bigint ids and counts as JSON numbers

const db = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const app = express();
app.use(express.json());

const pages = new Map(); // a page of the feed by its URL

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
  if (pages.has(req.originalUrl)) {
    return res.json(pages.get(req.originalUrl));
  }
  const limit = parseLimit(req.query.limit);
  if (limit === null) {
    return error(res, 400, 'limit must be a whole number from 1 to 100');
  }
  const tag = typeof req.query.tag === 'string' ? req.query.tag : '';
  // One query for the page: the posts and their authors. An empty tag
  // filters nothing.
  const { rows } = await db.query(
    `SELECT p.id, p.title, p.published_at, a.id AS author_id, a.name AS author_name
     FROM posts p JOIN authors a ON a.id = p.author_id
     WHERE $1 = '' OR EXISTS (
       SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
       WHERE pt.post_id = p.id AND t.name = $1)
     ORDER BY p.published_at DESC, p.id DESC LIMIT $2`,
    [tag, limit],
  );
  const posts = rows.map((row) => ({
    id: row.id,
    title: row.title,
    published_at: rfc3339(row.published_at),
    author: { id: row.author_id, name: row.author_name },
    tags: [],
    comment_count: 0,
  }));
  const byId = new Map(posts.map((p) => [p.id, p]));
  const ids = posts.map((p) => p.id);
  // One query for the tags of every post of the page.
  const tags = await db.query(
    `SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
     WHERE pt.post_id = ANY($1::bigint[]) ORDER BY pt.post_id, t.name`,
    [ids],
  );
  for (const t of tags.rows) {
    byId.get(t.post_id).tags.push(t.name);
  }
  // One query, one pass over comments, for every count of the page.
  const counts = await db.query(
    `SELECT post_id, count(*) AS n FROM comments
     WHERE post_id = ANY($1::bigint[]) GROUP BY post_id`,
    [ids],
  );
  for (const c of counts.rows) {
    byId.get(c.post_id).comment_count = c.n;
  }
  pages.set(req.originalUrl, { posts });
  res.json({ posts });
}));

// Every author by name, with how many posts they wrote and their newest
// one, in one query.
app.get('/authors', handle(async (req, res) => {
  const { rows } = await db.query(
    `SELECT a.id, a.name,
       (SELECT count(*) FROM posts p WHERE p.author_id = a.id) AS post_count,
       latest.id AS latest_id, latest.title AS latest_title
     FROM authors a
     LEFT JOIN LATERAL (
       SELECT id, title FROM posts p WHERE p.author_id = a.id
       ORDER BY p.published_at DESC, p.id DESC LIMIT 1) latest ON true
     ORDER BY a.name, a.id`,
  );
  const authors = rows.map((a) => ({
    id: a.id,
    name: a.name,
    post_count: a.post_count,
    latest_post: a.latest_id === null ? null : { id: a.latest_id, title: a.latest_title },
  }));
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
