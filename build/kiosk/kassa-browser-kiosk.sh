#!/bin/sh
# The cashier screen in Chromium's kiosk mode against `kassa serve` (docs/kiosk.md, "Browser
# kiosk"): waits for the address kassa-serve-url.sh wrote (it carries this launch's token),
# then becomes Chromium. kassa-browser-kiosk.service runs it inside cage.
#
#   KASSA_URL_FILE  default /run/kassa/url
#   CHROMIUM        default /usr/bin/chromium
set -eu
url_file="${KASSA_URL_FILE:-/run/kassa/url}"
waited=0
while [ ! -s "$url_file" ]; do
  if [ "$waited" -ge 600 ]; then
    echo "kassa-browser-kiosk: no address in $url_file after 60 s: is kassa-serve.service running?" >&2
    exit 1
  fi
  sleep 0.1
  waited=$((waited + 1))
done
url="$(cat "$url_file")"
exec "${CHROMIUM:-/usr/bin/chromium}" \
  --kiosk --app="$url" \
  --user-data-dir="${HOME:-/var/lib/kassa}/chromium-kiosk" \
  --no-first-run --noerrdialogs --disable-session-crashed-bubble --disable-infobars \
  --disable-translate --disable-features=Translate,TranslateUI \
  --overscroll-history-navigation=0 --disable-pinch \
  --password-store=basic
