// The member's own tests: the build stage has them, the image does not (nothing at run time needs them).
const test = require("node:test");
const assert = require("node:assert");
test("the menu lists rye", () => assert.ok(require("../generated/menu.json").breads.includes("rye")));
