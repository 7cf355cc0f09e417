// Reads items from an upstream service; README.md has the contract.
//
// This starter is a plain proxy: it passes every upstream answer on, waits
// as long as the upstream takes and never tries again. Make it a resilient
// client: a timeout on every call, retries with backoff, and a circuit
// breaker.
'use strict';
const express = require('express');

const upstream = process.env.UPSTREAM_URL || '';

const app = express();

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));

app.get('/items/:id', async (req, res) => {
  // TODO: give every call a timeout of 300 ms; retry failed calls (5xx,
  // broken connections, timeouts) with backoff, never a 4xx; answer errors
  // as the README says; add the circuit breaker.
  try {
    const resp = await fetch(upstream + '/items/' + encodeURIComponent(req.params.id));
    const body = await resp.text();
    res.status(resp.status).type('application/json').send(body);
  } catch (err) {
    console.error('read %s: %s', req.params.id, err.message);
    res.status(502).json({ error: { code: 'upstream_unavailable', message: 'the upstream could not be reached' } });
  }
});

app.listen(Number(process.env.PORT || 8080));
