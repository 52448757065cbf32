// A service with a native dependency (bcrypt: its install script builds or fetches a .node binary) under yarn.
const http = require("http");
const bcrypt = require("bcrypt");

const port = process.env.PORT || 8080;
const hash = bcrypt.hashSync("imgforge", 4);

http.createServer((req, res) => {
  res.setHeader("content-type", "text/plain");
  res.end(`native bcrypt ok: ${bcrypt.compareSync("imgforge", hash)}\n`);
}).listen(port);
