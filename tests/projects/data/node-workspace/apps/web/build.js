// Writes the menu the server answers with: the image must hold what the member's own build made.
const fs = require("node:fs");
fs.mkdirSync("generated", { recursive: true });
fs.writeFileSync("generated/menu.json", JSON.stringify({ breads: ["rye", "spelt"] }));
