// A small JSON API of items; README.md has the contract.
//
// Mutant: a created item is answered 200, not 201.
'use strict';
const express = require('express');

const items = new Map();
let lastId = 0;

// error sends the API's error body: {"error": "..."}.
function error(res, status, message) {
  res.status(status).json({ error: message });
}

const app = express();
app.use(express.json());

app.get('/health', (req, res) => res.json({ status: 'ok' }));

app.post('/items', (req, res) => {
  const name = req.body && req.body.name;
  if (typeof name !== 'string' || name === '') return error(res, 400, 'send a JSON body with a name');
  lastId += 1;
  const item = { id: String(lastId), name };
  items.set(item.id, item);
  res.status(200).json(item);
});

app.get('/items/:id', (req, res) => {
  const item = items.get(req.params.id);
  if (!item) return error(res, 404, 'no such item');
  res.json(item);
});

app.listen(Number(process.env.PORT || 8080));
