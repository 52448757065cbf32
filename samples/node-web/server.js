// A plain Node http service: / greets, /healthz is liveness, /readyz turns ready after a warm-up.
'use strict';
const http = require('http');

const port = Number(process.env.PORT || 8080);
const warmupMs = Number(process.env.WARMUP_MS || 1000);
let ready = false;
setTimeout(() => { ready = true; }, warmupMs);

function send(res, code, body) {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') return send(res, 200, { status: 'alive' });
  if (req.url === '/readyz') return ready ? send(res, 200, { status: 'ready' }) : send(res, 503, { status: 'warming up' });
  if (req.url === '/') return send(res, 200, { message: 'hello from node-web', uptime: process.uptime() });
  return send(res, 404, { error: 'not found' });
});

server.listen(port, () => console.log(`node-web listening on :${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
