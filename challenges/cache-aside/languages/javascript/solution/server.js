// Items served from a slow upstream, cached in Redis (see README.md).
const express = require('express');
const { createClient } = require('redis');

const upstream = process.env.UPSTREAM_URL || '';
// node-redis queues commands until it is connected and reconnects on its
// own: Redis may start a moment after the service.
const cache = createClient({ url: 'redis://' + (process.env.REDIS_ADDR || 'localhost:6379') });
cache.on('error', (err) => console.error('redis:', err.message));
cache.connect().catch((err) => console.error('redis connect:', err.message));

const units = { ms: 1, s: 1000, m: 60000, h: 3600000 };

// parseTTL returns the milliseconds in a Go duration such as 1s or 500ms;
// 1000 if unreadable.
function parseTTL(text) {
  const m = /^([0-9.]+)(ms|s|m|h)$/.exec(text || '');
  const ms = m ? Math.round(Number(m[1]) * units[m[2]]) : 0;
  return ms > 0 ? ms : 1000;
}

const ttlMs = parseTTL(process.env.CACHE_TTL);

// cacheKey is the Redis key of one item's cached answer.
function cacheKey(id) {
  return 'item:' + id;
}

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

app.get('/items/:id', async (req, res) => {
  const id = req.params.id;
  let cached = null;
  try {
    cached = await cache.get(cacheKey(id));
  } catch (err) {
    console.error('cache read', id, err.message);
  }
  if (cached !== null) return send(res, 200, cached);
  let got;
  try {
    got = await call('GET', id);
  } catch (err) {
    return send(res, 502, unavailable);
  }
  if (got.status === 200) {
    try {
      await cache.set(cacheKey(id), got.body, { PX: ttlMs });
    } catch (err) {
      console.error('cache write', id, err.message);
    }
  }
  send(res, got.status, got.body);
});

app.put('/items/:id', async (req, res) => {
  const id = req.params.id;
  let got;
  try {
    got = await call('PUT', id, typeof req.body === 'string' ? req.body : '');
  } catch (err) {
    return send(res, 502, unavailable);
  }
  if (got.status < 300) {
    try {
      await cache.del(cacheKey(id));
    } catch (err) {
      console.error('cache invalidate', id, err.message);
    }
  }
  send(res, got.status, got.body);
});

const port = Number(process.env.PORT || 8080);
app.listen(port, () => console.log('items listening on :' + port + ' (cache ttl ' + ttlMs + 'ms)'));
