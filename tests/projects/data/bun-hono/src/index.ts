import { Hono } from "hono";

// Bun.serve takes `export default` with a fetch handler and listens on PORT (3000 without it).
const app = new Hono();

app.get("/", (c) => c.json({ greeting: "hello from bun", runtime: `bun ${Bun.version}` }));
app.get("/healthz", (c) => c.text("ok"));
app.get("/readyz", (c) => c.text("ready"));

export default app;
