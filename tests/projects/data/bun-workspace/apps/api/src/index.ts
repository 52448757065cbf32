import { Hono } from "hono";
import { nextTide } from "@harbor/tides";

// @harbor/tides is a workspace package whose `main` is its own build's dist/: it is built before this member.
// public/app.js is what the web member's build writes here (--outdir ../api/public).
const app = new Hono();

app.get("/", (c) => c.text(`harbor api: ${nextTide("dover")}`));
app.get("/app.js", async (c) => c.body(await Bun.file("public/app.js").text(), 200,
  { "content-type": "text/javascript" }));
app.get("/healthz", (c) => c.text("ok"));

export default { port: Number(process.env.PORT ?? 3000), fetch: app.fetch };
