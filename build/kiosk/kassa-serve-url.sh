#!/bin/sh
# `kassa serve` for a browser kiosk (docs/kiosk.md, "Browser kiosk"). kassa serve prints one
# line when it is ready, the address with this launch's token; this writes that address to a
# file only the kiosk user can read, for kassa-browser-kiosk.sh, and then *is* kassa serve
# (exec), so systemd's SIGTERM reaches it and it shuts down in order.
#
#   KASSA_CLI       the command line (default /opt/kassa/kassa, a checkout)
#   KASSA_URL_FILE  where the address goes (default $RUNTIME_DIRECTORY/url, i.e. /run/kassa/url)
#   arguments       passed to kassa serve (--port, --data, --lan, …)
set -eu
kassa="${KASSA_CLI:-/opt/kassa/kassa}"
url_file="${KASSA_URL_FILE:-${RUNTIME_DIRECTORY:-/run/kassa}/url}"
umask 077
rm -f "$url_file"
fifo="$url_file.out"
rm -f "$fifo"
mkfifo "$fifo"
# The reader: the first line is the address; anything after it is passed on to the journal.
(
  IFS= read -r line || exit 0
  printf '%s\n' "$line" >&2
  printf '%s\n' "${line##* }" > "$url_file.new" && mv "$url_file.new" "$url_file"
  exec cat >&2
) < "$fifo" &
exec "$kassa" serve "$@" > "$fifo"
