// A small JSON API of quotes; README.md has the contract.
//
// The API works, but any client may call it as often as it likes: limit
// each client (see README.md). The grader gives you RATE_LIMIT (requests
// allowed per window) and RATE_WINDOW_SECONDS (the window's length). You
// may use Node's built-in modules and Express, which the grader has
// offline.
'use strict';
const express = require('express');

const QUOTES = [
  { id: 1, text: 'Simplicity is prerequisite for reliability.', author: 'Edsger W. Dijkstra' },
  { id: 2, text: 'Premature optimization is the root of all evil.', author: 'Donald Knuth' },
  { id: 3, text: 'Make it work, make it right, make it fast.', author: 'Kent Beck' },
];

// envInt reads a positive whole number from the environment, or def.
function envInt(name, def) {
  const n = Number.parseInt(process.env[name] || '', 10);
  return n >= 1 ? n : def;
}

const LIMIT = envInt('RATE_LIMIT', 5);
const WINDOW_MS = envInt('RATE_WINDOW_SECONDS', 4) * 1000;

// error sends the API's error body: {"error": {"code": ..., "message": ...}}.
function error(res, status, code, message) {
  res.status(status).json({ error: { code, message } });
}

const app = express();

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));

// TODO: identify the client by its X-Client-Id header and allow it at most
// LIMIT requests per window of WINDOW_MS, answering 429 with Retry-After
// past that (app.use(...) here sees every request registered after it).
// The health check above stays unlimited.

app.get('/quotes', (req, res) => res.json({ quotes: QUOTES }));

app.get('/quotes/:id', (req, res) => {
  const quote = QUOTES.find((q) => String(q.id) === req.params.id);
  if (!quote) return error(res, 404, 'not_found', 'no quote with this id');
  res.json(quote);
});

const port = Number(process.env.PORT || 8080);
app.listen(port, () => console.log(`quotes listening on :${port} (to limit: ${LIMIT} requests per ${WINDOW_MS} ms per client)`));
