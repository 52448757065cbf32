// An Express service that checks a password with bcrypt, a native module whose install script builds or
// fetches its .node binary; pnpm 10 runs that script only because package.json allows it (onlyBuiltDependencies).
const express = require("express");
const bcrypt = require("bcrypt");

const app = express();
const port = process.env.PORT || 8080;
const stored = bcrypt.hashSync("correct horse", 4);

app.get("/", (req, res) => {
  res.type("text/plain").send(`pnpm native bcrypt ok: ${bcrypt.compareSync("correct horse", stored)}\n`);
});

app.get("/check/:password", (req, res) => {
  res.json({ match: bcrypt.compareSync(req.params.password, stored) });
});

app.listen(port);
