const { opening } = require("./dist/greeting.json");

exports.greet = (name) => `${opening} ${name || "everyone"}\n`;
