#!/usr/bin/env bash
# End-to-end tests: the dev build of the app runs under Xvfb with a throwaway home
# and serves the built frontend plus the Go bindings on a loopback port; real
# Chromium (playwright-core) drives it. Screenshots go to build/bin/e2e/. Run it
# inside backend/secrets/testdata/with-keyring.sh to give the app a real keyring.
# Afterwards no file the app wrote may contain the test's password.
set -euo pipefail
bin=$(realpath "$1")
root=$(pwd)
t=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$t/home" "$t/run" build/bin/e2e
secret="e2e-P{a]s)s<w>o:rd-$RANDOM$RANDOM"
chmod 700 "$t/run"
cleanup() {
  if [ -n "${app:-}" ]; then
    kill -- -"$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
  fi
  rm -rf "$t"
}
trap cleanup EXIT

# Archives for the upload test, made by the project's generator before HOME moves.
go run ./backend/archive/testdata/mkarchive -o "$t/e2e-app.tar" -layers 3 -size 24000000 \
  -tag e2e-app:1.0
# A second, larger one with other content, so its push lasts long enough to cancel.
go run ./backend/archive/testdata/mkarchive -o "$t/e2e-app-2.tar" -layers 4 -size 48000000 \
  -seed 2 -tag e2e-app:2.0
head -c 4096 /dev/urandom >"$t/not-an-archive.tar"

export HOME=$t/home XDG_RUNTIME_DIR=$t/run XDG_CONFIG_HOME=$t/home/.config
export XDG_DATA_HOME=$t/home/.local/share XDG_CACHE_HOME=$t/home/.cache
export DBUS_SESSION_BUS_ADDRESS=${DBUS_SESSION_BUS_ADDRESS:-unix:path=/nonexistent} NO_AT_BRIDGE=1

LANG=zh_CN.UTF-8 LC_ALL='' LC_MESSAGES='' IMAGEDESK_SANDBOX_REPORT_DELAY=25s devserver=127.0.0.1:$port \
  assetdir=$root/frontend/dist loglevel=Warning setsid xvfb-run -a -s "-screen 0 1280x900x24" "$bin" --data-dir "$t/data" >"$t/app.log" 2>&1 &
app=$!
for i in $(seq 1 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
  kill -0 "$app" 2>/dev/null || { echo "e2e: the app exited early"; cat "$t/app.log"; exit 1; }
  sleep 0.5
done

cd frontend
IMAGEDESK_E2E_ARCHIVE="$t/e2e-app.tar" IMAGEDESK_E2E_BAD="$t/not-an-archive.tar" \
  IMAGEDESK_E2E_ARCHIVE2="$t/e2e-app-2.tar" \
  IMAGEDESK_E2E_URL="http://127.0.0.1:$port" IMAGEDESK_E2E_SHOTS="$root/build/bin/e2e" \
  IMAGEDESK_DATA_DIR="$t/data" IMAGEDESK_E2E_SECRET="$secret" \
  node --test --test-concurrency=1 ${IMAGEDESK_E2E_PATTERN:+--test-name-pattern="$IMAGEDESK_E2E_PATTERN"} e2e/ || {
  echo "e2e: failed; app log:"; tail -n 50 "$t/app.log"; exit 1; }
cd "$root"

# The secret typed into the window must be in the keyring and nowhere on disk.
if grep -rlF -- "$secret" "$t" build/bin/e2e 2>/dev/null; then
  echo "e2e: the password typed in the window was found in the files above"; exit 1
fi
echo "e2e: the password typed in the window is in no file the app wrote"
