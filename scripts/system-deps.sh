#!/usr/bin/env bash
# The system packages Kassa's tests use for real: socat (pseudo-terminal serial pairs),
# Chromium (browser tests through Playwright), udev (udevadm, behind SerialPort.list()) and
# libusb (node-hid). Installs what is missing when it can (root, or passwordless sudo);
# otherwise stops at once with the one command that installs them.
# Debian/Ubuntu only: elsewhere it names the packages and leaves the installing to you.
set -euo pipefail

missing=()
command -v socat >/dev/null 2>&1 || missing+=(socat)
[ -x "${KASSA_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v udevadm >/dev/null 2>&1 || [ -x /usr/bin/udevadm ] || [ -x /sbin/udevadm ] || missing+=(udev)
{ /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } | grep -q 'libusb-1.0.so.0' || missing+=(libusb-1.0-0)
[ ${#missing[@]} -eq 0 ] && exit 0

command_line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "kassa: the tests need ${missing[*]} (Debian package names); install them with your package manager" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "kassa: the tests need ${missing[*]}; install them once with: sudo sh -c '${command_line}'" >&2
  exit 1
fi
echo "kassa: installing system packages the tests use: ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
