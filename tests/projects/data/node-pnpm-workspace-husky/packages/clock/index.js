exports.nextSailing = () => 45 * 60 * 1000;
