// A small JSON API of items; README.md has the contract.
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
// TODO: store the item and answer 201 with it; a body without a name is a 400.
app.post('/items', todo);
// TODO: answer the item (req.params.id), or 404.
app.get('/items/:id', todo);

app.listen(Number(process.env.PORT || 8080));
