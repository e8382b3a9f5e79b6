#!/usr/bin/env bash
# Smoke test of the production build: start the window under Xvfb with a throwaway
# home, take a screenshot and check that the window drew its shell (not a blank
# rectangle). The screenshot is kept in build/bin/smoke.png for people to look at.
set -euo pipefail
bin=$(realpath "$1")
out=$(realpath build/bin)/smoke.png
t=$(mktemp -d)
trap 'kill -- -"$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$t"' EXIT

mkdir -p "$t/home" "$t/run"
chmod 700 "$t/run"
export HOME=$t/home XDG_RUNTIME_DIR=$t/run XDG_CONFIG_HOME=$t/home/.config
export XDG_DATA_HOME=$t/home/.local/share XDG_CACHE_HOME=$t/home/.cache
export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent NO_AT_BRIDGE=1 LANG=en_US.UTF-8

setsid xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
  "$1" --data-dir "$2/data" >"$2/app.log" 2>&1 &
  app=$!
  for i in $(seq 1 60); do
    if xwininfo -root -tree 2>/dev/null | grep -q "\"ImageDesk\""; then break; fi
    kill -0 $app 2>/dev/null || { echo "smoke: the app exited early"; cat "$2/app.log"; exit 1; }
    sleep 0.5
  done
  for i in $(seq 1 40); do
    sleep 0.5
    import -window root "$3"
    colours=$(identify -format %k "$3")
    [ "$colours" -gt 200 ] && break
  done
  kill $app
  wait $app 2>/dev/null || true
  echo "smoke: screenshot has $colours colours"
  [ "$colours" -gt 200 ] || { echo "smoke: the window looks blank"; cat "$2/app.log"; exit 1; }
' smoke "$bin" "$t" "$out" &
pid=$!
wait "$pid"
echo "smoke: ok, screenshot in $out"
