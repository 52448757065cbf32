// Bundles the front-end with plain Node (no npm packages): concatenates and minifies the scripts and
// styles of SRC into DST/app.js and DST/app.css, and copies index.html. Usage: node build.js web dist
'use strict';
const fs = require('fs');
const path = require('path');

const [src = 'web', dst = 'dist'] = process.argv.slice(2);

function minifyJs(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')           // block comments
    .replace(/^\s*\/\/.*$/gm, '')               // whole-line comments
    .split('\n').map((l) => l.trim()).filter(Boolean).join('\n');
}

function minifyCss(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').replace(/\s*([{}:;,])\s*/g, '$1').trim();
}

function bundle(ext, minify) {
  const files = fs.readdirSync(src).filter((f) => f.endsWith(ext)).sort();
  return files.map((f) => `/* ${f} */\n` + minify(fs.readFileSync(path.join(src, f), 'utf8'))).join('\n') + '\n';
}

fs.mkdirSync(dst, { recursive: true });
fs.writeFileSync(path.join(dst, 'app.js'), bundle('.js', minifyJs));
fs.writeFileSync(path.join(dst, 'app.css'), bundle('.css', minifyCss));
fs.copyFileSync(path.join(src, 'index.html'), path.join(dst, 'index.html'));
console.log(`bundled ${src} -> ${dst}`);
