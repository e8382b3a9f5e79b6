#!/usr/bin/env bash
# faults.sh: the long fault and bad-input suite, and docs/RELIABILITY.md from it.
#
#   build/scripts/faults.sh        (or: make faults)
#
# The same tests run short in `make test`; here IMAGEDESK_FAULTS_LONG=1 asks for
# more kill points, bigger archives and more repetitions, and every case the
# tests check is written to a rows file that becomes docs/RELIABILITY.md.
# Environment: FAULTS_DOC=docs/RELIABILITY.md ("" for none).
set -euo pipefail
cd "$(dirname "$0")/../.."
doc=${FAULTS_DOC-docs/RELIABILITY.md}
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

build/scripts/deps.sh test >&2
export IMAGEDESK_FAULTS_LONG=1 IMAGEDESK_RELIABILITY=$rows
go test -race -count=1 -timeout 30m \
	-run 'Fault|BadInput|Crash|RefusesBad|ResumeAfterRegistryRestart|Stall' \
	./app/ ./app/cli/ ./backend/store/ ./backend/registry/ ./backend/profile/

echo "faults: $(wc -l <"$rows") cases checked" >&2
if [ -n "$doc" ]; then
	machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
	machine+=", $(. /etc/os-release && echo "$PRETTY_NAME"), $(go version | cut -d' ' -f3)"
	go run ./build/scripts/reliability -in "$rows" -out "$doc" -command "make faults" \
		-machine "$machine"
	echo "faults: wrote $doc" >&2
fi
