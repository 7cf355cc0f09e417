// A small JSON API of quotes with a per-client rate limit; README.md has
// the contract.
//
// A known-wrong solution: a limit per client and route.
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

// Limiter allows each client at most `limit` requests per fixed window of
// `windowMs`, the window opening at the client's first request.
class Limiter {
  constructor(limit, windowMs) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.windows = new Map(); // client id -> {start, count}
    this.lastSweep = 0;
  }

  // take counts one request of client, if it is allowed. It returns whether
  // it is, how many more the client may make in its window, and, when it is
  // not allowed, the whole seconds until the window closes (at least 1).
  take(client, now) {
    this.sweep(now);
    let w = this.windows.get(client);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(client, w);
    }
    if (w.count >= this.limit) {
      const retryAfter = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
      return { ok: false, remaining: 0, retryAfter };
    }
    w.count += 1;
    return { ok: true, remaining: this.limit - w.count, retryAfter: 0 };
  }

  // sweep forgets closed windows, at most once per window length.
  sweep(now) {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [client, w] of this.windows) {
      if (now - w.start >= this.windowMs) this.windows.delete(client);
    }
  }
}

// error sends the API's error body: {"error": {"code": ..., "message": ...}}.
function error(res, status, code, message) {
  res.status(status).json({ error: { code, message } });
}

const limiter = new Limiter(LIMIT, WINDOW_MS);
const app = express();

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));

// Everything registered after this middleware is limited; the health check
// above is not.
app.use((req, res, next) => {
  const client = (req.get('X-Client-Id') || '').trim();
  if (!client) return error(res, 400, 'missing_client_id', 'send your client id in the X-Client-Id header');
  const { ok, remaining, retryAfter } = limiter.take(client + ' ' + req.path, Date.now());
  res.set('X-RateLimit-Limit', String(LIMIT));
  res.set('X-RateLimit-Remaining', String(remaining));
  if (!ok) {
    res.set('Retry-After', String(retryAfter));
    const message = `at most ${LIMIT} requests every ${WINDOW_MS / 1000} s per client; retry in Retry-After seconds`;
    return error(res, 429, 'rate_limited', message);
  }
  next();
});

app.get('/quotes', (req, res) => res.json({ quotes: QUOTES }));

app.get('/quotes/:id', (req, res) => {
  const quote = QUOTES.find((q) => String(q.id) === req.params.id);
  if (!quote) return error(res, 404, 'not_found', 'no quote with this id');
  res.json(quote);
});

const port = Number(process.env.PORT || 8080);
app.listen(port, () => console.log(`quotes listening on :${port} (${LIMIT} requests per ${WINDOW_MS} ms per client)`));
