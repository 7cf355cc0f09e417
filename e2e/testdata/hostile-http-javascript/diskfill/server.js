const fs = require('fs');
const http = require('http');

// answer is 42 only if it could write outside /tmp.
async function answer() {
  const chunk = Buffer.alloc(1 << 20, 1);
  try {
    const fd = fs.openSync('/tmp/fill', 'w');
    for (;;) fs.writeSync(fd, chunk);
  } catch (e) {}
  for (const p of ['/fill', '/work/fill', '/etc/fill', '/usr/lib/node_modules/fill', '/opt/grader/fill']) {
    try {
      fs.writeFileSync(p, chunk);
      return { answer: 42, how: 'wrote ' + p };
    } catch (e) {}
  }
  return { answer: 0 };
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
