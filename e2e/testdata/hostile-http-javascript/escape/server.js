const dns = require('dns').promises;
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');

const markers = ['HIDDEN-' + 'MARKER', 'GRADER_FIXTURE_' + 'SECRET'];

function connects(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 300 });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(false));
  });
}

// escaped reports any way out of the job's namespace, or into the
// grader's secrets.
async function escaped() {
  for (const name of Object.keys(os.networkInterfaces())) {
    if (name !== 'lo') return 'interface ' + name;
  }
  for (const l of fs.readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
    const f = l.trim().split(/\s+/);
    if (f.length > 1 && f[1] === '00000000') return 'default route';
  }
  try {
    await dns.lookup('example.com');
    return 'dns';
  } catch (e) {}
  for (const p of ['/work/plan.json', '/proc/1/environ']) {
    let data = '';
    try {
      data = fs.readFileSync(p, 'latin1');
    } catch (e) {
      continue;
    }
    if (markers.some((m) => data.includes(m))) return 'read ' + p;
  }
  try {
    const r = await fetch(process.env.UPSTREAM_URL + '/_fixture/stats', { signal: AbortSignal.timeout(2000) });
    if (r.status === 200) return 'fixture controls without the secret';
  } catch (e) {}
  for (const k of Object.keys(process.env)) {
    if (k.startsWith('GRADER_')) return 'grader env ' + k;
  }
  // The host's own listener, at every address the host has and the usual
  // gateways of a container.
  const port = Number(process.env.HOST_PORT);
  const hosts = process.env.HOST_ADDRS.split(',').concat(['172.17.0.1', 'host.docker.internal', '10.0.2.2', '169.254.169.254']);
  for (const h of hosts) {
    if (await connects(h, port)) return 'host listener at ' + h;
  }
  return '';
}

async function answer() {
  const how = await escaped();
  return how ? { answer: 42, how } : { answer: 0 };
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
