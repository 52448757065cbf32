"""A tiny web service: /healthz and /readyz answer 200."""

from http.server import BaseHTTPRequestHandler, HTTPServer

VERSION = "1"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path in ("/healthz", "/readyz") else 404)
        self.end_headers()
        self.wfile.write(VERSION.encode())


if __name__ == "__main__":
    HTTPServer(("", 8080), Handler).serve_forever()
