// Accepts small computing jobs over HTTP and works through them in the
// background; README.md has the contract. This starter answers the health
// check and connects to Redis; every other route answers 501 until you
// build it.
//
// The grader gives you REDIS_ADDR (a Redis you may use) and MAX_ATTEMPTS.
// You may use Node's built-in modules, Express and node-redis version 4.
const express = require('express');
const { createClient } = require('redis');

// node-redis queues commands until it is connected and reconnects on its
// own: Redis may start a moment after the service. Keep the queue and every
// job's state in Redis, so that nothing is lost when the service restarts.
// A worker that blocks on the queue (blMove) needs a connection of its own:
// rdb.duplicate().
const rdb = createClient({ url: 'redis://' + (process.env.REDIS_ADDR || 'localhost:6379') });
rdb.on('error', (err) => console.error('redis:', err.message));
rdb.connect().catch((err) => console.error('redis connect:', err.message));

function send(res, status, value) {
  res.status(status).type('application/json').send(JSON.stringify(value));
}

const app = express();
app.use(express.text({ type: () => true, limit: '64kb' }));

app.get('/healthz', (req, res) => send(res, 200, { status: 'ok' }));

// TODO: check the job (req.body is the raw text), store and queue it,
// answer 202 with a Location.
app.post('/jobs', (req, res) => send(res, 501, { error: 'POST /jobs is not built yet' }));

// TODO: answer the job with its status, or 404.
app.get('/jobs/:id', (req, res) => send(res, 501, { error: 'GET /jobs/' + req.params.id + ' is not built yet' }));

// TODO: start one worker that takes queued jobs from Redis, oldest first,
// runs them and records how they went (retrying failures).

const port = Number(process.env.PORT || 8080);
app.listen(port, () => console.log('jobs listening on :' + port));
