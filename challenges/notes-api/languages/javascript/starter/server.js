// Notes API: a JSON REST API for notes; README.md has the contract.
//
// This starter answers the health check and an (always empty) list; every
// other route answers 501 until you build it. You may use Node.js's
// built-in modules and Express, which the grader has offline.
'use strict';
const express = require('express');

// error sends the API's error body: {"error": {"code": ..., "message": ...}}.
function error(res, status, code, message) {
  res.status(status).json({ error: { code, message } });
}

function todo(req, res) {
  error(res, 501, 'not_implemented', req.method + ' ' + req.path + ' is not built yet');
}

const app = express();
app.use(express.json());

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));

app.get('/notes', (req, res) => {
  // TODO: list the stored notes, oldest first, honouring limit and offset.
  res.json({ items: [], total: 0, limit: 10, offset: 0 });
});

// TODO: validate the body and store the note; answer 201 with it.
app.post('/notes', todo);
// TODO: read, replace and delete one note (req.params.id).
app.get('/notes/:id', todo);
app.put('/notes/:id', todo);
app.delete('/notes/:id', todo);

const port = Number(process.env.PORT || 8080);
app.listen(port, () => console.log('notes listening on :' + port));
