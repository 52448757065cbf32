"""Progress of an engine scan: every byte of the `docker save` stream is reported once."""

from __future__ import annotations

import subprocess

from imgforge.scan import scan


def test_on_bytes_counts_the_whole_save_stream(docker):
    seen: list[int] = []
    report = scan("imgforge/busybox:1.35", on_bytes=seen.append)
    streamed = len(subprocess.run(["docker", "save", "imgforge/busybox:1.35"], capture_output=True, check=True).stdout)
    assert sum(seen) == streamed
    assert sum(seen) >= report.total_bytes > 0
