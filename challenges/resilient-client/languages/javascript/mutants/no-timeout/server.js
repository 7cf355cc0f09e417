// Reads items from an upstream that fails now and then; README.md has the
// contract. Every call has a deadline, a call that fails for a reason that
// may pass is tried again after a growing pause, and a circuit breaker
// stops calling an upstream that keeps failing until it has had time to
// recover.
//
// A known-wrong solution (mutant no-timeout) for grading the tests.
'use strict';
const express = require('express');

const upstream = process.env.UPSTREAM_URL || '';
const ATTEMPTS = 3; // calls one read may make
const BACKOFF_MS = 50; // pause before the second call, doubled before each next one
const THRESHOLD = 3; // failed reads in a row that open the breaker
const COOL_DOWN_MS = 1000; // how long the breaker stays open before a trial read

// The circuit breaker over reads, shared by every id. Closed, it lets
// every read through and counts failed reads in a row; at THRESHOLD it
// opens and refuses reads for COOL_DOWN_MS; then it lets one trial read
// through, which closes it when it succeeds and opens it again when it
// fails.
const breaker = {
  failures: 0,
  open: false,
  openedAt: 0,
  trying: false,

  // allow says whether a read may call the upstream, and whether it is the trial.
  allow() {
    if (!this.open) return { ok: true, trial: false };
    if (this.trying || Date.now() - this.openedAt < COOL_DOWN_MS) return { ok: false, trial: false };
    this.trying = true;
    return { ok: true, trial: true };
  },

  // done records how a read that allow let through ended.
  done(trial, failed) {
    if (trial) this.trying = false;
    if (!failed) {
      this.failures = 0;
      this.open = false;
    } else if (trial) {
      this.openedAt = Date.now();
    } else if (!this.open) {
      this.failures += 1;
      if (this.failures >= THRESHOLD) {
        this.open = true;
        this.openedAt = Date.now();
      }
    }
  },
};

// Failed is a call that failed: a 5xx, a broken connection or a timeout.
class Failed extends Error {
  constructor(message, timeout) {
    super(message);
    this.timeout = timeout;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// call makes one call and returns the status and body of an answer below 500.
async function call(id) {
  let resp;
  let body;
  try {
    resp = await fetch(upstream + '/items/' + encodeURIComponent(id));
    body = await resp.text();
  } catch (err) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      throw new Failed('the upstream did not answer within 300 ms', true);
    }
    console.error('read %s: %s', id, err.cause ? err.cause.message : err.message);
    throw new Failed('the upstream could not be reached or closed the connection', false);
  }
  if (resp.status >= 500 || resp.status < 200 || (resp.status >= 300 && resp.status < 400)) {
    throw new Failed('the upstream answered ' + resp.status, false);
  }
  return { status: resp.status, body };
}

// get reads id with up to tries calls, pausing longer before each retry.
async function get(id, tries) {
  let pause = BACKOFF_MS;
  for (let i = 0; ; i++) {
    if (i > 0) {
      await sleep(pause);
      pause *= 2;
    }
    try {
      return await call(id);
    } catch (err) {
      if (!(err instanceof Failed) || i === tries - 1) throw err;
    }
  }
}

// error sends the API's error body: {"error": {"code", "message"}}.
function error(res, status, code, message) {
  res.status(status).json({ error: { code, message } });
}

const app = express();

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));

app.get('/items/:id', async (req, res) => {
  const { ok, trial } = breaker.allow();
  if (!ok) {
    res.set('Retry-After', '1');
    return error(res, 503, 'circuit_open', 'the upstream keeps failing; not calling it for a moment, try again shortly');
  }
  let answer;
  try {
    answer = await get(req.params.id, trial ? 1 : ATTEMPTS);
  } catch (err) {
    breaker.done(trial, true);
    if (err.timeout) return error(res, 504, 'upstream_timeout', err.message);
    return error(res, 502, 'upstream_unavailable', err.message);
  }
  breaker.done(trial, false);
  if (answer.status >= 400) {
    return error(res, answer.status, 'upstream_rejected', 'the upstream refused the read with ' + answer.status);
  }
  res.status(200).type('application/json').send(answer.body);
});

app.listen(Number(process.env.PORT || 8080));
