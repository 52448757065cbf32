'use strict';
const http = require('http');
const Database = require('better-sqlite3');

const db = new Database(':memory:');
db.exec('CREATE TABLE entries (id INTEGER PRIMARY KEY, note TEXT)');
const add = db.prepare('INSERT INTO entries (note) VALUES (?)');
for (const note of ['left harbour', 'wind NW 4', 'anchored']) add.run(note);

const server = http.createServer((req, res) => {
  if (req.url === '/healthz' || req.url === '/readyz') {
    res.end('ok');
    return;
  }
  const { n } = db.prepare('SELECT count(*) AS n FROM entries').get();
  const { v } = db.prepare('SELECT sqlite_version() AS v').get();
  res.setHeader('content-type', 'text/plain');
  res.end(`logbook: ${n} entries in sqlite ${v} on node ${process.versions.node}\n`);
});

const port = Number(process.env.PORT || 3000);
server.listen(port, () => console.log(`logbook on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
