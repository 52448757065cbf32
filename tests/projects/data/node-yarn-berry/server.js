// Answers with a duration formatted by its one dependency, so a missing node_modules fails at start.
const http = require('http');
const ms = require('ms');

const port = Number(process.env.PORT || 8080);
http.createServer((req, res) => {
  res.end(`up ${ms(60000)}\n`);
}).listen(port);
