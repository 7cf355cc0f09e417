// Accepts small computing jobs over HTTP and works through them in the
// background, one at a time, with the queue and every job's state kept in
// Redis (see README.md).
const express = require('express');
const { createClient } = require('redis');

// node-redis queues commands until it is connected and reconnects on its
// own: Redis may start a moment after the service. The worker blocks on
// the queue, so it has a connection of its own.
const rdb = createClient({ url: 'redis://' + (process.env.REDIS_ADDR || 'localhost:6379') });
rdb.on('error', (err) => console.error('redis:', err.message));
const blocking = rdb.duplicate();
blocking.on('error', (err) => console.error('redis (worker):', err.message));

let maxAttempts = parseInt(process.env.MAX_ATTEMPTS || '', 10);
if (!(maxAttempts >= 1)) maxAttempts = 3;

// A job waits in QUEUED (pushed on the left, taken from the right) and sits
// in PROCESSING while the worker runs it, so a job that was running when the
// service stopped is queued again when it starts.
const NEXT_ID = 'jobs:next-id';
const QUEUED = 'jobs:queued';
const PROCESSING = 'jobs:processing';
const OPS = ['sum', 'product', 'divide'];

// jobKey is the Redis hash holding one job.
function jobKey(id) {
  return 'job:' + id;
}

function send(res, status, value) {
  res.status(status).type('application/json').send(JSON.stringify(value));
}

function isNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

// wholeField reads the optional whole-number field name, from 0 to top; 0
// when it is missing.
function wholeField(body, name, top) {
  const v = body[name];
  if (v === undefined || v === null) return 0;
  if (!Number.isInteger(v) || v < 0 || v > top) {
    throw new Error(name + ' must be a whole number from 0 to ' + top);
  }
  return v;
}

// parseJob checks a submitted body and returns the job's fields, or throws.
function parseJob(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch (err) {
    body = null;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Error('the body must be a JSON object');
  }
  if (!OPS.includes(body.op)) throw new Error('op must be "sum", "product" or "divide"');
  const numbers = body.numbers;
  if (!Array.isArray(numbers) || numbers.length < 1 || numbers.length > 100 || !numbers.every(isNumber)) {
    throw new Error('numbers must be a list of 1 to 100 numbers');
  }
  return {
    op: body.op,
    numbers,
    delayMs: wholeField(body, 'delay_ms', 5000),
    failTimes: wholeField(body, 'fail_times', 10),
  };
}

// load reads one job: the job as the API shows it and its run settings,
// or null when there is no such job.
async function load(id) {
  const h = await rdb.hGetAll(jobKey(id));
  if (Object.keys(h).length === 0) return null;
  const job = {
    id: h.id,
    status: h.status,
    op: h.op,
    numbers: JSON.parse(h.numbers),
    attempts: Number(h.attempts),
  };
  if (h.error !== undefined) job.error = h.error;
  return { job, delayMs: Number(h.delay_ms), failTimes: Number(h.fail_times) };
}

const app = express();
app.use(express.text({ type: () => true, limit: '64kb' }));

app.get('/healthz', (req, res) => send(res, 200, { status: 'ok' }));

app.post('/jobs', async (req, res) => {
  let fields;
  try {
    fields = parseJob(typeof req.body === 'string' ? req.body : '');
  } catch (err) {
    return send(res, 400, { error: err.message });
  }
  try {
    const id = String(await rdb.incr(NEXT_ID));
    await rdb
      .multi()
      .hSet(jobKey(id), {
        id,
        status: 'queued',
        op: fields.op,
        numbers: JSON.stringify(fields.numbers),
        attempts: 0,
        delay_ms: fields.delayMs,
        fail_times: fields.failTimes,
      })
      .lPush(QUEUED, id)
      .exec();
    res.set('Location', '/jobs/' + id);
    send(res, 202, { id, status: 'queued', op: fields.op, numbers: fields.numbers, attempts: 0 });
  } catch (err) {
    console.error('queue job:', err.message);
    send(res, 503, { error: 'the queue is unavailable, try again' });
  }
});

app.get('/jobs/:id', async (req, res) => {
  try {
    const found = await load(req.params.id);
    if (found === null) return send(res, 404, { error: 'no job with this id' });
    send(res, 200, found.job);
  } catch (err) {
    console.error('read job:', err.message);
    send(res, 503, { error: 'the queue is unavailable, try again' });
  }
});

// compute returns a job's result, or throws with the job's error.
function compute(op, numbers) {
  let v = numbers[0];
  for (const n of numbers.slice(1)) {
    if (op === 'sum') v += n;
    else if (op === 'product') v *= n;
    else {
      if (n === 0) throw new Error('division by zero');
      v /= n;
    }
  }
  if (!Number.isFinite(v)) throw new Error('result out of range');
  return v;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// run makes one attempt at a job the worker took from the queue and
// records how it went.
async function run(id) {
  const attempt = await rdb.hIncrBy(jobKey(id), 'attempts', 1);
  await rdb.hSet(jobKey(id), 'status', 'running');
  const { job, delayMs, failTimes } = await load(id);
  await sleep(delayMs);
  let result;
  let failure = null;
  try {
    result = compute(job.op, job.numbers);
  } catch (err) {
    failure = err.message;
  }
  if (attempt <= failTimes) failure = 'simulated failure';
  const tx = rdb.multi();
  if (failure === null) {
    tx.hSet(jobKey(id), { status: 'done', result: JSON.stringify(result) });
  } else if (attempt < maxAttempts) {
    tx.hSet(jobKey(id), 'status', 'queued');
    tx.lPush(QUEUED, id);
  } else {
    tx.hSet(jobKey(id), { status: 'failed', error: failure });
  }
  tx.lRem(PROCESSING, 1, id);
  await tx.exec();
}

// work takes jobs from the queue one at a time, forever. Jobs a previous
// run left in PROCESSING go back to the front of the queue first.
async function work() {
  for (;;) {
    try {
      if ((await rdb.lMove(PROCESSING, QUEUED, 'RIGHT', 'RIGHT')) === null) break;
    } catch (err) {
      console.error('requeue:', err.message);
      await sleep(200);
    }
  }
  for (;;) {
    try {
      const id = await blocking.blMove(QUEUED, PROCESSING, 'RIGHT', 'LEFT', 1);
      if (id !== null) await run(id);
    } catch (err) {
      console.error('worker:', err.message);
      await sleep(200);
    }
  }
}

rdb.connect().catch((err) => console.error('redis connect:', err.message));
blocking.connect().catch((err) => console.error('redis connect (worker):', err.message));
work();

const port = Number(process.env.PORT || 8080);
app.listen(port, () => console.log('jobs listening on :' + port + ' (at most ' + maxAttempts + ' attempts a job)'));
