import { Hono } from "hono";

// The bundle keeps hono external (--packages external): it comes from the runtime's production node_modules.
// flavour.txt says which build script wrote dist/ (build:prod writes "production").
const flavour = (await Bun.file(new URL("./flavour.txt", import.meta.url)).text()).trim();
const app = new Hono();

app.get("/", (c) => c.text(`tide tables, ${flavour} bundle`));
app.get("/healthz", (c) => c.text("ok"));

export default { port: Number(process.env.PORT ?? 3000), fetch: app.fetch };
