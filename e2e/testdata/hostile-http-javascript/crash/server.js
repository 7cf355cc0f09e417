const http = require('http');

console.log('cannot start: missing configuration');
process.exit(3);

async function answer() {
  return { answer: 42 };
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
