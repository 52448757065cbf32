#!/bin/sh
# Test app: serves /www with busybox httpd; env vars make it misbehave the way real apps do.
# Some apps print their environment at start; verify must not repeat credentials from it.
if [ -n "$DEBUG_ENV" ]; then env | sort; fi
if [ -n "$PID_FILE" ]; then
  echo $$ > "$PID_FILE" || { echo "cannot write $PID_FILE" >&2; exit 1; }
fi
if [ -n "$ALLOC_MB" ]; then
  # tail keeps a line without newline in memory: ALLOC_MB MiB of resident memory.
  head -c "${ALLOC_MB}m" /dev/zero | tail > /dev/null || { echo "allocating ${ALLOC_MB}MiB failed" >&2; exit 1; }
fi
if [ -n "$START_DELAY" ]; then sleep "$START_DELAY"; fi
echo started > /tmp/started || exit 1
exec httpd -f -p "${PORT:-8080}" -h /www
