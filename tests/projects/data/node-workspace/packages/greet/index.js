exports.greet = (name) => `fresh bread for ${name || "everyone"}\n`;
