// `prepare: husky` (git hooks for developers) runs on every install of this member, the production one too, where
// husky (a devDependency) is not installed.
const http = require('http');
const ms = require('ms');
const { nextSailing } = require('@ferry/clock');

const port = Number(process.env.PORT || 8080);
http.createServer((req, res) => {
  res.end(`ferry api: next sailing in ${ms(nextSailing())}\n`);
}).listen(port);
