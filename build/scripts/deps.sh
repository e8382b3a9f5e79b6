#!/usr/bin/env bash
# Installs what building, running and testing ImageDesk needs on Debian 12 / Ubuntu,
# and only what is missing: system packages, the pinned Wails CLI, the frontend's npm
# packages. Safe to run again; it prints what it installs.
#   deps.sh run    packages to build and open the window
#   deps.sh test   also the packages the tests use (Xvfb, Chromium, keyring, registry)
set -euo pipefail
cd "$(dirname "$0")/../.."

mode=${1:-run}
run_pkgs=(libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config gcc fonts-noto-cjk xdg-utils)
test_pkgs=(xvfb xauth x11-utils imagemagick chromium dbus-x11 gnome-keyring libsecret-tools
  docker-registry apache2-utils skopeo)
pkgs=("${run_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")

say() { printf 'deps: %s\n' "$*"; }

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

for tool in go node npm; do
  command -v "$tool" >/dev/null || { say "$tool is required but not installed"; exit 1; }
done

# The Wails CLI, built from the tools module that pins it to go.mod's version.
want=$(go list -m -f '{{.Version}}' github.com/wailsapp/wails/v2)
wails="$(go env GOPATH)/bin/wails"
have=$("$wails" version 2>/dev/null | head -n1 || true)
if [ "$have" != "$want" ]; then
  say "building the Wails CLI $want"
  (cd build/tools && go build -o "$wails" github.com/wailsapp/wails/v2/cmd/wails)
fi

# npm packages, reinstalled only when the lock file changed.
stamp=frontend/node_modules/.lock-hash
hash=$(sha256sum frontend/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]; then
  say "installing npm packages (npm ci)"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
  echo "$hash" >"$stamp"
fi
