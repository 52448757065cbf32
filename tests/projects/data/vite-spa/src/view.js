export function render(title) {
  return `<h1>${title}</h1><p>vite spa says hello</p>`;
}
