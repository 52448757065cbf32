// A team directory: people grouped by team with Object.groupBy (Node 21+), a password check with bcrypt
// (a native module built by its install script), served by Hono on Node's http server.
import { serve } from "@hono/node-server";
import bcrypt from "bcrypt";
import { Hono } from "hono";

const people = [
  { name: "ada", team: "platform" },
  { name: "grace", team: "compilers" },
  { name: "linus", team: "platform" },
];
const stored = bcrypt.hashSync("correct horse", 4);

const app = new Hono();
app.get("/", (c) => c.json({ node: process.version, teams: Object.groupBy(people, (p) => p.team) }));
app.get("/teams/:team", (c) => {
  const members = Object.groupBy(people, (p) => p.team)[c.req.param("team")];
  return members ? c.json(members) : c.json({ error: "no such team" }, 404);
});
app.get("/check/:password", (c) => c.json({ match: bcrypt.compareSync(c.req.param("password"), stored) }));
app.get("/healthz", (c) => c.text("ok"));
app.get("/readyz", (c) => c.text("ready"));

const port = Number(process.env.PORT || 8080);
const server = serve({ fetch: app.fetch, port }, (info) => console.log(`team directory on ${info.port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
