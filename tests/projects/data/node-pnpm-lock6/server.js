// A dependency-free server locked by pnpm 8 (lockfileVersion 6.0), whose lockfile pnpm 10 refuses as frozen; its
// build script runs pnpm, which writes the stamp it answers with.
const fs = require("fs");
const http = require("http");

const port = process.env.PORT || 8080;
const stamp = fs.readFileSync("stamp.txt", "utf8").trim();

http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end(`pnpm 8 lockfile: ok, ${stamp}\n`);
}).listen(port);
