// A product catalogue kept in Postgres; README.md has the contract.
//
// This starter connects to the database, answers the health check and
// lists the first products by id; paging, filtering, sorting, search and
// creating products are yours to build. You may use Express (as here) or
// node:http, and pg.
'use strict';
const express = require('express');
const { Pool } = require('pg');

// The grader tells the service where its database is.
const pool = new Pool({ connectionString: process.env.DATABASE_URL });

const app = express();
app.use(express.json());

app.get('/health', (req, res) => res.json({ status: 'ok' }));

// TODO: limit (1 to 100, 20 by default), category, q, sort and cursor;
// next_cursor when there is a next page. Page with the sort key and id of
// the last item (keyset pagination), not with OFFSET.
app.get('/products', async (req, res) => {
  try {
    const { rows } = await pool.query(
      'SELECT id, name, category, price_cents, created_at FROM products ORDER BY id LIMIT 20');
    const items = rows.map((r) => ({
      id: Number(r.id), name: r.name, category: r.category,
      price_cents: r.price_cents, created_at: r.created_at.toISOString(),
    }));
    res.json({ items, next_cursor: null });
  } catch (err) {
    console.error('database:', err.message);
    res.status(500).json({ error: 'database error' });
  }
});

// TODO: check name, category and price_cents, then INSERT ... RETURNING.
app.post('/products', (req, res) => res.status(501).json({ error: 'not implemented yet' }));

app.listen(Number(process.env.PORT || 8080));
