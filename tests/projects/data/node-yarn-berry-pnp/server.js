// Plain node, no .pnp.cjs: `ms` must be in a node_modules tree, which the default Plug'n'Play install does not write.
const http = require('http');
const ms = require('ms');

const port = Number(process.env.PORT || 8080);
http.createServer((req, res) => {
  res.end(`pnp project up ${ms(90000)}\n`);
}).listen(port);
