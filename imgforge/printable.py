"""External text made safe for a terminal or Markdown: one rule for reports and error messages."""

from __future__ import annotations


def printable(text: str) -> str:
    """`text` safe for a terminal or Markdown: control characters (ANSI escapes too), lone surrogates from
    undecodable names and bidi/format characters become visible `\\xNN`/`\\uNNNN` escapes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(c: str) -> str:
    code = ord(c)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
