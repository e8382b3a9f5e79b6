#!/bin/sh
# with-keyring.sh CMD [ARG...]
#
# Runs CMD on a private D-Bus session bus that has an unlocked, throwaway
# gnome-keyring as its Secret Service, with IMAGEDESK_KEYRING_TEST=1 set so
# that the real-keyring tests run (and fail if the keyring is unusable).
# Everything the keyring writes goes into a temporary directory that is
# removed afterwards; the bus and the daemon end with CMD.
#
# Needs dbus-run-session, gnome-keyring-daemon and dbus-send.
#   backend/secrets/testdata/with-keyring.sh go test -race ./backend/secrets/
set -eu

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "with-keyring.sh: $tool is not installed" >&2
		exit 1
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/imagedesk-keyring.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$T/data" "$T/run"
chmod 700 "$T/run"

# The password of this throwaway keyring only; it is never printed.
KEYRING_PW=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export KEYRING_PW

XDG_DATA_HOME="$T/data" XDG_RUNTIME_DIR="$T/run" IMAGEDESK_KEYRING_TEST=1 \
	dbus-run-session -- sh -c '
	printf %s "$KEYRING_PW" |
		gnome-keyring-daemon --unlock --components=secrets >/dev/null
	unset KEYRING_PW

	# --unlock returns before the daemon owns its bus name: wait up to ~10 s.
	i=0
	until dbus-send --session --print-reply --dest=org.freedesktop.DBus \
		/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
		string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"
	do
		i=$((i + 1))
		if [ "$i" -gt 100 ]; then
			echo "with-keyring.sh: the secret service did not start" >&2
			exit 1
		fi
		sleep 0.1
	done

	"$@"
' with-keyring "$@"
