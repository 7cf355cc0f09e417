const express = require('express');

const app = express();
app.get('/healthz', (req, res) => res.json({}));
app.get('/answer', (req, res) => res.json({ answer: 42 }));
app.listen(Number(process.env.PORT));
