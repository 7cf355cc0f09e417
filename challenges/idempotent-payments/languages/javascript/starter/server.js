// Payments that clients may send more than once, charged exactly once;
// README.md has the contract.
//
// This starter answers the health check; every other route answers 501
// until you build it. You may use Node.js's built-in modules and Express,
// which the grader has offline.
'use strict';
const express = require('express');

function todo(req, res) {
  res.status(501).json({ error: req.method + ' ' + req.path + ' is not built yet' });
}

const app = express();
app.use(express.json());

app.get('/health', (req, res) => res.json({ status: 'ok' }));
// TODO: check the Idempotency-Key and the body, then charge once per key:
// a repeated key with the same body replays the first answer.
app.post('/payments', todo);
// TODO: answer the payment (req.params.id), or 404.
app.get('/payments/:id', todo);
// TODO: answer what the customer was charged and how many payments.
app.get('/customers/:customer/balance', todo);

app.listen(Number(process.env.PORT || 8080));
