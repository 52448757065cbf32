// A dependency-free server: what matters is that the image builds with pnpm pinned as "pnpm@10.13.1" (no hash),
// whose npm signature a registry proxy without signature metadata cannot prove, and a project .npmrc.
const http = require("http");

const port = process.env.PORT || 8080;

http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("pnpm pinned without a hash: ok\n");
}).listen(port);
