// Accounts, sessions and private notes as a JSON API; README.md has the
// contract. This is a known-wrong solution: it keeps one session per user, so a
// new login ends the one before.
'use strict';
const crypto = require('node:crypto');
const { promisify } = require('node:util');
const express = require('express');

const pbkdf2 = promisify(crypto.pbkdf2);
const ITERATIONS = 100000; // PBKDF2-HMAC-SHA256 rounds
const KEY_LENGTH = 32;
const MIN_PASSWORD = 8;
const USERNAME = /^[a-z0-9_]{3,32}$/;
const TTL = Number(process.env.TOKEN_TTL_SECONDS || 3600);

const users = new Map(); // username -> {username, role, salt, hash}, oldest first
const sessions = new Map(); // token -> {username, expires (ms)}
const notes = new Map(); // id -> note, oldest first
let lastNote = 0;

function hashPassword(password, salt) {
  return pbkdf2(password, salt, ITERATIONS, KEY_LENGTH, 'sha256');
}

// What the API shows of an account: never the salt or the hash.
function publicUser(user) {
  return { username: user.username, role: user.role };
}

// addUser stores a new account; null when the username is taken.
async function addUser(username, password, role) {
  const salt = crypto.randomBytes(16);
  const hash = await hashPassword(password, salt);
  if (users.has(username)) return null; // checked after the await: another sign-up may have won
  const user = { username, role, salt, hash };
  users.set(username, user);
  return user;
}

function error(res, status, code, message) {
  if (status === 401) res.set('WWW-Authenticate', 'Bearer');
  res.status(status).json({ error: { code, message } });
}

// credentials returns {username, password} or answers 400 and returns null.
function credentials(req, res) {
  const data = req.body;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    error(res, 400, 'validation_failed', 'send a JSON object with a username and a password');
    return null;
  }
  const { username, password } = data;
  if (typeof username !== 'string' || typeof password !== 'string') {
    error(res, 400, 'validation_failed', 'username and password are required, as strings');
    return null;
  }
  return { username, password };
}

// authed puts the caller's account and token on req, or answers 401.
function authed(req, res, next) {
  const header = req.get('Authorization') || '';
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  const token = space < 0 ? '' : header.slice(space + 1);
  if (scheme !== 'Bearer' || token === '') {
    return error(res, 401, 'unauthorized', 'send Authorization: Bearer <token>; log in at POST /login');
  }
  const session = sessions.get(token);
  if (session && Date.now() >= session.expires) sessions.delete(token);
  const user = session && Date.now() < session.expires ? users.get(session.username) : undefined;
  if (!user) {
    return error(res, 401, 'unauthorized', 'the token is unknown, expired or logged out; log in again');
  }
  req.user = user;
  req.token = token;
  next();
}

// wrap sends an async handler's failure to Express's error handler.
const wrap = (fn) => (req, res, next) => fn(req, res, next).catch(next);

const app = express();
app.use(express.json({ strict: false }));
app.use((err, req, res, next) => {
  // A body that is not JSON: let the route answer 400.
  if (err.type === 'entity.parse.failed') {
    req.body = undefined;
    return next();
  }
  next(err);
});

app.get('/healthz', (req, res) => res.json({ status: 'ok' }));

app.post('/signup', wrap(async (req, res) => {
  const creds = credentials(req, res);
  if (!creds) return;
  if (!USERNAME.test(creds.username)) {
    return error(res, 400, 'validation_failed', 'username must be 3 to 32 characters among a-z, 0-9 and _');
  }
  if ([...creds.password].length < MIN_PASSWORD) {
    return error(res, 400, 'validation_failed', 'password must be at least 8 characters');
  }
  const user = await addUser(creds.username, creds.password, 'user');
  if (!user) return error(res, 409, 'username_taken', 'username ' + creds.username + ' is taken');
  res.status(201).json(publicUser(user));
}));

const dummySalt = crypto.randomBytes(16);
const dummyHash = crypto.pbkdf2Sync('dummy password', dummySalt, ITERATIONS, KEY_LENGTH, 'sha256');

app.post('/login', wrap(async (req, res) => {
  const creds = credentials(req, res);
  if (!creds) return;
  const user = users.get(creds.username);
  // Hash even for an unknown user, so both take the same time.
  const got = await hashPassword(creds.password, user ? user.salt : dummySalt);
  const match = crypto.timingSafeEqual(got, user ? user.hash : dummyHash);
  if (!user || !match) return error(res, 401, 'invalid_credentials', 'invalid username or password');
  const token = crypto.randomBytes(32).toString('hex');
  for (const [t, s] of sessions) if (s.username === user.username) sessions.delete(t);
  sessions.set(token, { username: user.username, expires: Date.now() + TTL * 1000 });
  res.json({ token, token_type: 'Bearer', expires_in: TTL });
}));

app.post('/logout', authed, (req, res) => {
  sessions.delete(req.token);
  res.status(204).end();
});

app.get('/me', authed, (req, res) => res.json(publicUser(req.user)));

app.post('/notes', authed, (req, res) => {
  const data = req.body;
  const ok = data !== null && typeof data === 'object' && !Array.isArray(data);
  const title = ok ? data.title : undefined;
  const body = ok && data.body !== undefined ? data.body : '';
  if (typeof title !== 'string' || title === '' || typeof body !== 'string') {
    return error(res, 400, 'validation_failed', 'send a JSON object with a non-empty title (and an optional body)');
  }
  lastNote += 1;
  const note = { id: String(lastNote), owner: req.user.username, title, body };
  notes.set(note.id, note);
  res.status(201).json(note);
});

app.get('/notes', authed, (req, res) => {
  const mine = [...notes.values()].filter((n) => n.owner === req.user.username);
  res.json({ notes: mine });
});

app.get('/notes/:id', authed, (req, res) => {
  const note = notes.get(req.params.id);
  if (!note) return error(res, 404, 'not_found', 'no note with id ' + req.params.id);
  if (note.owner !== req.user.username) return error(res, 403, 'forbidden', 'this note belongs to someone else');
  res.json(note);
});

app.get('/admin/users', authed, (req, res) => {
  if (req.user.role !== 'admin') return error(res, 403, 'forbidden', 'only admins may list the accounts');
  res.json({ users: [...users.values()].map(publicUser) });
});

async function main() {
  if (process.env.ADMIN_USERNAME) {
    await addUser(process.env.ADMIN_USERNAME, process.env.ADMIN_PASSWORD || '', 'admin');
  }
  app.listen(Number(process.env.PORT || 8080));
}

main();
