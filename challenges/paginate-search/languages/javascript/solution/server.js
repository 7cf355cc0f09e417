// A product catalogue kept in Postgres, listed page by page with opaque
// cursors; README.md has the contract.
//
// This is the reference solution.
'use strict';
const express = require('express');
const { Pool } = require('pg');

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const MAX_TEXT = 100;
const MAX_PRICE = 1000000000;
const pool = new Pool({ connectionString: process.env.DATABASE_URL });

// Each accepted sort: the column it orders by and whether descending.
// Ties are always broken by id ascending.
const SORTS = {
  id: ['id', false],
  price: ['price_cents', false],
  '-price': ['price_cents', true],
  created_at: ['created_at', false],
  '-created_at': ['created_at', true],
};

// created_at as text with microseconds: a JS Date keeps only
// milliseconds, too coarse for a cursor over Postgres timestamps.
const COLUMNS = `id, name, category, price_cents,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_text`;

// product turns a row into the API's product; BIGSERIAL ids come back
// as strings from pg, and are numbers in the API.
function product(row) {
  return {
    id: Number(row.id), name: row.name, category: row.category,
    price_cents: row.price_cents, created_at: row.created_text,
  };
}

// error sends the API's error body: {"error": "..."}.
function error(res, status, message) {
  res.status(status).json({ error: message });
}

// param reads one query parameter as a string; undefined when absent.
function param(req, name) {
  const v = req.query[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : '';
  if (v === undefined || typeof v === 'string') return v;
  return '';
}

// encodeCursor makes next_cursor: base64url JSON of the sort, the last
// item's key and id.
function encodeCursor(sort, key, id) {
  return Buffer.from(JSON.stringify({ s: sort, k: key, i: id })).toString('base64url');
}

// decodeCursor returns {s, k, i} or null when text is not a cursor.
function decodeCursor(text, column) {
  let c;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (e) {
    return null;
  }
  if (!c || typeof c !== 'object' || typeof c.s !== 'string' || !Number.isInteger(c.i)) return null;
  if (column === 'created_at' ? Number.isNaN(Date.parse(c.k)) : !Number.isInteger(c.k)) return null;
  return c;
}

// likePattern matches q anywhere, with LIKE's wildcards taken literally.
function likePattern(q) {
  return '%' + q.replace(/[\\%_]/g, (ch) => '\\' + ch) + '%';
}

const app = express();
app.use(express.json());

app.get('/health', (req, res) => res.json({ status: 'ok' }));

app.get('/products', async (req, res) => {
  let limit = DEFAULT_LIMIT;
  const limitText = param(req, 'limit');
  if (limitText !== undefined) {
    if (!/^[0-9]{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) {
      return error(res, 400, `limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limitText)}`);
    }
    limit = Number(limitText);
  }
  const sort = param(req, 'sort') ?? 'id';
  if (!Object.hasOwn(SORTS, sort)) {
    return error(res, 400, `sort must be one of id, price, -price, created_at, -created_at, got ${JSON.stringify(sort)}`);
  }
  const [column, desc] = SORTS[sort];

  const where = [];
  const args = [];
  const arg = (v) => { args.push(v); return '$' + args.length; };
  const category = param(req, 'category');
  if (category) where.push('category = ' + arg(category));
  const q = param(req, 'q');
  if (q) where.push('name ILIKE ' + arg(likePattern(q)));
  const cursorText = param(req, 'cursor');
  if (cursorText !== undefined) {
    const c = decodeCursor(cursorText, column);
    if (!c) return error(res, 400, 'cursor is not valid: send next_cursor from a previous page as it is');
    if (c.s !== sort) return error(res, 400, `cursor was made for sort=${c.s}: send the same sort with it`);
    if (column === 'id') {
      where.push('id > ' + arg(c.i));
    } else {
      const op = desc ? '<' : '>';
      const k = arg(c.k);
      where.push(`(${column} ${op} ${k} OR (${column} = ${k} AND id > ${arg(c.i)}))`);
    }
  }

  let sql = `SELECT ${COLUMNS} FROM products`;
  if (where.length > 0) sql += ' WHERE ' + where.join(' AND ');
  sql += ` ORDER BY ${column}${desc ? ' DESC' : ''}${column === 'id' ? '' : ', id'}`;
  // One row more than the page tells whether there is a next page.
  sql += ' LIMIT ' + arg(limit + 1);
  try {
    let { rows } = await pool.query(sql, args);
    let next = null;
    if (rows.length > limit) {
      rows = rows.slice(0, limit);
      const last = product(rows[limit - 1]);
      const key = { id: last.id, price_cents: last.price_cents, created_at: last.created_at }[column];
      next = encodeCursor(sort, key, last.id);
    }
    res.json({ items: rows.map(product), next_cursor: next });
  } catch (err) {
    console.error('database:', err.message);
    error(res, 500, 'database error');
  }
});

// textField reads a required non-blank string; it returns [value, problem].
function textField(body, name) {
  if (!(name in body)) return [null, `${name} is required`];
  const v = body[name];
  if (typeof v !== 'string') return [null, `${name} must be a string`];
  if (v.trim() === '') return [null, `${name} must not be empty`];
  if ([...v].length > MAX_TEXT) return [null, `${name} must be at most ${MAX_TEXT} characters`];
  return [v, null];
}

app.post('/products', async (req, res) => {
  const body = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return error(res, 400, 'send a JSON object with name, category and price_cents');
  }
  let [name, problem] = textField(body, 'name');
  let category = null;
  if (!problem) [category, problem] = textField(body, 'category');
  const price = body.price_cents;
  if (!problem) {
    if (!('price_cents' in body)) problem = 'price_cents is required';
    else if (!Number.isInteger(price) || price < 0 || price > MAX_PRICE) {
      problem = `price_cents must be a whole number of cents from 0 to ${MAX_PRICE}`;
    }
  }
  if (problem) return error(res, 400, problem);
  try {
    const { rows } = await pool.query(
      `INSERT INTO products (name, category, price_cents) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [name, category, price]);
    res.status(201).json(product(rows[0]));
  } catch (err) {
    console.error('database:', err.message);
    error(res, 500, 'database error');
  }
});

// A body that is not JSON is 400, in the API's error shape.
app.use((err, req, res, next) => {
  if (err.type === 'entity.parse.failed') return error(res, 400, 'the body is not JSON');
  next(err);
});

app.listen(Number(process.env.PORT || 8080));
