// Built to dist/index.js (this package's `main`) by its own build script.
export function nextTide(port: string): string {
  return `high water at ${port} in 4h12m`;
}
