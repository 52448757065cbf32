// The package's own build: the member that uses it needs its output at run time, so the image builds it first.
const fs = require("node:fs");
fs.mkdirSync("dist", { recursive: true });
fs.writeFileSync("dist/greeting.json", JSON.stringify({ opening: "fresh bread for" }));
