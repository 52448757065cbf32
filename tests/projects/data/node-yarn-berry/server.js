// Answers with a duration formatted by its one dependency, so a missing node_modules fails at start, and with what
// the build's `yarn stamp` wrote.
const fs = require('fs');
const http = require('http');
const ms = require('ms');

const port = Number(process.env.PORT || 8080);
const stamp = fs.readFileSync(`${__dirname}/stamp.txt`, 'utf8').trim();
http.createServer((req, res) => {
  res.end(`up ${ms(60000)}, ${stamp}\n`);
}).listen(port);
