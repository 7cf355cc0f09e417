// Payments that clients may send more than once, charged exactly once;
// README.md has the contract.
//
// Mutant: records the key before checking the body, so a refused payment uses it up. Node runs one request handler at a
// time, and pay() does not wait between checking a key and charging, so
// the two are one step.
'use strict';
const express = require('express');

const KEY = /^[A-Za-z0-9_-]{1,64}$/;
const CURRENCIES = new Set(['EUR', 'USD', 'GBP']);

const payments = new Map();
const answers = new Map(); // key -> {req, status, body}
const balances = new Map(); // customer -> {charged, payments}
let lastId = 0;

// error sends the API's error body: {"error": "..."}.
function error(res, status, message) {
  res.status(status).json({ error: message });
}

// decode checks a payment request; it returns [request, problem].
function decode(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return [null, 'send a JSON body with customer, amount (whole cents) and currency'];
  }
  const { customer, amount, currency } = body;
  if (typeof customer !== 'string' || customer === '') return [null, 'customer is required'];
  if (!Number.isInteger(amount) || amount <= 0) return [null, 'amount must be a whole number of cents, more than 0'];
  if (!CURRENCIES.has(currency)) return [null, 'currency must be one of EUR, USD, GBP'];
  return [{ customer, amount, currency }, null];
}

function sameRequest(a, b) {
  return a.customer === b.customer && a.amount === b.amount && a.currency === b.currency;
}

const app = express();
app.use(express.json());

app.get('/health', (req, res) => res.json({ status: 'ok' }));

app.post('/payments', (req, res) => {
  const key = req.get('Idempotency-Key') || '';
  if (!KEY.test(key)) return error(res, 400, 'send an Idempotency-Key header of 1 to 64 letters, digits, - or _');
  const [payment, problem] = decode(req.body);
  if (problem) {
    if (!answers.has(key)) answers.set(key, { req: {}, status: 400, body: '{"error":"invalid payment"}' });
    return error(res, 400, problem);
  }
  const first = answers.get(key);
  if (first) {
    if (!sameRequest(first.req, payment)) {
      return error(res, 422, 'this Idempotency-Key was used for another payment; use a new key');
    }
    res.set('Idempotent-Replayed', 'true');
    return res.status(first.status).type('application/json').send(first.body);
  }
  lastId += 1;
  const stored = { id: 'pay_' + lastId, ...payment, status: 'succeeded' };
  payments.set(stored.id, stored);
  const b = balances.get(payment.customer) || { charged: 0, payments: 0 };
  b.charged += payment.amount;
  b.payments += 1;
  balances.set(payment.customer, b);
  const body = JSON.stringify(stored);
  answers.set(key, { req: payment, status: 201, body });
  res.status(201).type('application/json').send(body);
});

app.get('/payments/:id', (req, res) => {
  const payment = payments.get(req.params.id);
  if (!payment) return error(res, 404, 'no such payment');
  res.json(payment);
});

app.get('/customers/:customer/balance', (req, res) => {
  const b = balances.get(req.params.customer) || { charged: 0, payments: 0 };
  res.json({ customer: req.params.customer, ...b });
});

// A body that is not JSON is the client's mistake: answer it as one.
app.use((err, req, res, next) => {
  if (err.type === 'entity.parse.failed') return error(res, 400, 'the body is not valid JSON');
  next(err);
});

app.listen(Number(process.env.PORT || 8080));
