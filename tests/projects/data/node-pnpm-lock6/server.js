// A dependency-free server locked by pnpm 8 (lockfileVersion 6.0), whose lockfile pnpm 10 refuses as frozen.
const http = require("http");

const port = process.env.PORT || 8080;

http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("pnpm 8 lockfile: ok\n");
}).listen(port);
