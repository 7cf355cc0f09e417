// Items served from a slow upstream. It works, but every read waits for the
// upstream: add a cache (see README.md).
//
// The grader gives you REDIS_ADDR (a Redis you may use, host:port) and
// CACHE_TTL (how long a cached item may be served, a Go duration such as
// 1s). You may use Node's built-ins, Express and node-redis (`require('redis')`,
// version 4), which the grader has offline.
const express = require('express');

const upstream = process.env.UPSTREAM_URL || '';
const unavailable = '{"error":{"code":"upstream","message":"upstream unavailable"}}';

function send(res, status, body) {
  res.status(status).type('application/json').send(body);
}

// call sends one request to the upstream and returns its status and body.
async function call(method, id, body) {
  const init = { method, signal: AbortSignal.timeout(5000) };
  if (body !== undefined) {
    init.body = body;
    init.headers = { 'Content-Type': 'application/json' };
  }
  const resp = await fetch(upstream + '/items/' + encodeURIComponent(id), init);
  return { status: resp.status, body: await resp.text() };
}

const app = express();
app.use(express.text({ type: () => true }));

app.get('/healthz', (req, res) => send(res, 200, '{"status":"ok"}'));

// TODO: answer from the cache when the item is there; otherwise read it from
// the upstream and cache the 200 answer for CACHE_TTL.
app.get('/items/:id', async (req, res) => {
  try {
    const got = await call('GET', req.params.id);
    send(res, got.status, got.body);
  } catch (err) {
    send(res, 502, unavailable);
  }
});

// TODO: when the upstream accepts the write, drop the item's cached answer.
app.put('/items/:id', async (req, res) => {
  try {
    const got = await call('PUT', req.params.id, typeof req.body === 'string' ? req.body : '');
    send(res, got.status, got.body);
  } catch (err) {
    send(res, 502, unavailable);
  }
});

const port = Number(process.env.PORT || 8080);
app.listen(port, () => console.log('items listening on :' + port));
