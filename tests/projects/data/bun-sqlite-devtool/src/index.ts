import { Database } from "bun:sqlite";
import { Hono } from "hono";

// The service itself uses bun:sqlite; better-sqlite3 is for the schema tooling run on developers' machines.
const db = new Database(":memory:");
db.run("CREATE TABLE counts (name TEXT PRIMARY KEY, n INTEGER)");
for (const [name, n] of [["gulls", 12], ["terns", 5]] as const) db.run("INSERT INTO counts VALUES (?, ?)", [name, n]);

const app = new Hono();
app.get("/", (c) => {
  const rows = db.query("SELECT count(*) AS k, sum(n) AS total FROM counts").get() as { k: number; total: number };
  return c.text(`tally: ${rows.total} birds in ${rows.k} kinds on bun ${Bun.version}`);
});
app.get("/healthz", (c) => c.text("ok"));
app.get("/readyz", (c) => c.text("ready"));

export default app;
