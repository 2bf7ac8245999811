#!/bin/sh
# The Electron kiosk's session (docs/kiosk.md). kassa-kiosk.service runs it as the kiosk user,
# inside a D-Bus session (dbus-run-session); it starts the Wayland kiosk compositor (cage) with
# itself inside, where it unlocks the keyring and runs the app. Its exit status is the app's,
# whatever the compositor returns, so the unit's RestartPreventExitStatus=10 sees the manager's
# exit (app.exitKiosk) and does not bring the till straight back.
#
#   KASSA_APP         the app (default /opt/Kassa/kassa-app, where the deb installs it)
#   KASSA_COMPOSITOR  the compositor command, "-" for none (default: cage -s --)
#   KASSA_DATA        the data folder (the app's default otherwise)
#   $CREDENTIALS_DIRECTORY/kassa-keyring   the keyring's password (systemd LoadCredentialEncrypted=)
set -u
app="${KASSA_APP:-/opt/Kassa/kassa-app}"
status_file="${XDG_RUNTIME_DIR:-/tmp}/kassa-kiosk.$$.status"

if [ "${1:-}" = "--inside-compositor" ]; then
  status_file="$2"
  shift 2
  keyring=""
  # safeStorage seals the database key with the Secret Service: start GNOME Keyring for this
  # session and unlock it with the password systemd decrypted for us (TPM-bound when the
  # credential was made with systemd-creds --with-key=tpm2). Without it the app refuses to start.
  if [ -n "${CREDENTIALS_DIRECTORY:-}" ] && [ -r "$CREDENTIALS_DIRECTORY/kassa-keyring" ] && command -v gnome-keyring-daemon >/dev/null; then
    eval "$(gnome-keyring-daemon --replace --unlock --components=secrets --daemonize < "$CREDENTIALS_DIRECTORY/kassa-keyring")"
    export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
    keyring="--keyring=gnome-libsecret"
  fi
  # shellcheck disable=SC2086
  "$app" --kiosk $keyring "$@"
  echo "$?" > "$status_file"
  exit 0
fi

rm -f "$status_file"
compositor="${KASSA_COMPOSITOR:-cage -s --}"
if [ "$compositor" = "-" ]; then
  "$0" --inside-compositor "$status_file" "$@"
else
  # shellcheck disable=SC2086
  $compositor "$0" --inside-compositor "$status_file" "$@"
fi
if [ -s "$status_file" ]; then
  status="$(cat "$status_file")"
  rm -f "$status_file"
  exit "$status"
fi
# The app never wrote its status: the compositor died under it.
exit 1
