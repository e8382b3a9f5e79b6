#!/usr/bin/env bash
# bench-window.sh: the window side of the benchmarks.
#
#   start     cold start of the production window (build/bin/imagedesk) to its
#             first paint, in WebKitGTK under Xvfb: with a new data directory
#             (so the first-run sandbox start, demo images included, is part of
#             it), with a new data directory and a new home (nothing cached),
#             and with an existing data directory. The figure is the app's own
#             debug line "first paint": milliseconds since the kernel started
#             the process, taken two animation frames after the shell showed.
#   versions  an image with 10,000 versions and 100 signature tags, in Chromium
#             through the dev build: click to sorted list, filter, scroll.
#   history   100,000 history events, in Chromium through the dev build: open,
#             text filter, scroll down to row 1,000 (pages load on the way).
#
#   build/scripts/bench-window.sh            (or: make bench-window)
#
# Environment:
#   BENCH_RUNS=5                   runs of each measurement (1-20)
#   BENCH_WINDOW="start versions history"   which parts to run
#   BENCH_DOC=docs/BENCHMARKS.md   where the "Window" section goes ("" for none);
#                                  written only when every part ran
#
# Everything it starts listens on 127.0.0.1 or a private X display and is
# stopped on exit. The seeded sandbox and history are kept in
# build/bin/bench-window (reseeded when their seeders or the store change).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

runs=${BENCH_RUNS:-5}
parts=${BENCH_WINDOW:-start versions history}
doc=${BENCH_DOC-docs/BENCHMARKS.md}
out=$root/build/bin/bench-window
bin=$root/build/bin/imagedesk
dev=$root/build/bin/imagedesk-dev

say() { printf 'bench-window: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

case $runs in
'' | *[!0-9]*) die "BENCH_RUNS must be a number from 1 to 20" ;;
esac
[ "$runs" -ge 1 ] && [ "$runs" -le 20 ] || die "BENCH_RUNS must be from 1 to 20"
for p in $parts; do
	case $p in start | versions | history) ;; *) die "unknown part $p" ;; esac
done
for c in Xvfb chromium curl node python3; do
	command -v "$c" >/dev/null || die "$c is missing: run make deps-test"
done

say "building the window and the dev build (make)"
make --no-print-directory build/bin/imagedesk build/bin/imagedesk-dev >&2

mkdir -p "$out"
work=$(mktemp -d "$out/run.XXXXXX")
xvfb=""
app=""

# stop_app stops the app started last (its whole process group), bounded.
stop_app() {
	[ -n "$app" ] || return 0
	kill -TERM -- -"$app" 2>/dev/null || true
	local i
	for i in $(seq 1 100); do
		kill -0 "$app" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- -"$app" 2>/dev/null || true
	wait "$app" 2>/dev/null || true
	app=""
}

cleanup() {
	stop_app
	if [ -n "$xvfb" ]; then
		kill "$xvfb" 2>/dev/null || true
		wait "$xvfb" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'say "stopped by an error at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

# One private X server for every window; it tells its display number once ready.
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$work/display" \
	>"$work/xvfb.log" 2>&1 &
xvfb=$!
for i in $(seq 1 100); do
	[ -s "$work/display" ] && break
	kill -0 "$xvfb" 2>/dev/null || die "Xvfb did not start: $(cat "$work/xvfb.log")"
	sleep 0.1
done
[ -s "$work/display" ] || die "Xvfb gave no display number"
export DISPLAY=:$(head -n1 "$work/display")

# Every app and browser gets its own home (WebKit and GTK write there), no
# session bus (no keyring daemons left behind) and English, so the page's
# labels are known. The script's own HOME stays, for Go's and npm's caches.
# use_home DIR sets home_env, the environment to start them with.
use_home() {
	mkdir -p "$1/.config" "$1/.cache" "$1/.local/share" "$1/run"
	chmod 700 "$1/run"
	home_env=(HOME="$1" XDG_CONFIG_HOME="$1/.config" XDG_CACHE_HOME="$1/.cache"
		XDG_DATA_HOME="$1/.local/share" XDG_RUNTIME_DIR="$1/run"
		DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent NO_AT_BRIDGE=1
		LANG=en_US.UTF-8 LC_ALL= LC_MESSAGES=)
}

metrics=$work/metrics.tsv
: >"$metrics"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$metrics"; }

# --- start: the production window to its first paint ---------------------------

# first_paint HOME DATA: starts the window, waits for its "first paint" line and
# sets ms to the milliseconds it logged; stops the window again.
first_paint() {
	local home=$1 data=$2 log=$2/logs/imagedesk.log i
	ms=""
	use_home "$home"
	env "${home_env[@]}" setsid "$bin" --verbose --data-dir "$data" >"$home/app.out" 2>&1 &
	app=$!
	for i in $(seq 1 1200); do
		if [ -f "$log" ] && ms=$(grep '"msg":"first paint"' "$log" | tail -n1 |
			grep -o '"ms":[0-9]*' | cut -d: -f2) && [ -n "$ms" ]; then
			break
		fi
		kill -0 "$app" 2>/dev/null || break
		sleep 0.05
	done
	stop_app
	if [ -z "$ms" ]; then
		tail -n 20 "$home/app.out" "$log" >&2 2>/dev/null || true
		die "the window logged no first paint"
	fi
	# Count only this start's line next time.
	mv "$log" "$log.$(date +%s%N)"
}

bench_start() {
	say "start: $runs runs of three starts of $bin"
	# The warm home and data directory are made by one start that is not counted.
	first_paint "$work/warm-home" "$work/warm-data"
	local r
	for r in $(seq 1 "$runs"); do
		first_paint "$work/warm-home" "$work/cold-data-$r"
		record start cold_first_paint_ms "$r" "$ms"
		say "start run $r: new data dir $ms ms"
		first_paint "$work/bare-home-$r" "$work/bare-data-$r"
		record start bare_first_paint_ms "$r" "$ms"
		say "start run $r: new data dir and new home $ms ms"
		rm -rf "$work/cold-data-$r" "$work/bare-home-$r" "$work/bare-data-$r"
		first_paint "$work/warm-home" "$work/warm-data"
		record start warm_first_paint_ms "$r" "$ms"
		say "start run $r: existing data dir $ms ms"
	done
}

# --- seeded data, kept between runs of this script --------------------------------

# seeded NAME FILES...: true when build/bin/bench-window/NAME was seeded from the
# current version of FILES; otherwise removes it.
stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
seeded() {
	local name=$1 dir=$out/$1
	shift
	if [ "$(cat "$dir.stamp" 2>/dev/null)" = "$(stamp_of "$@")" ] && [ -d "$dir" ]; then
		return 0
	fi
	rm -rf "$dir" "$dir.stamp"
	return 1
}

sandbox_sources=$(ls backend/sandbox/*.go | grep -v _test.go)
store_sources=$(ls backend/store/*.go | grep -v _test.go)

seed_tags() {
	# shellcheck disable=SC2086
	seeded tags build/scripts/seedtags/main.go $sandbox_sources && return 0
	say "seeding 10,000 version tags (once; the sandbox rewrites its index per tag:" \
		"several minutes)"
	rm -rf "$out/tags.tmp"
	go run ./build/scripts/seedtags -data "$out/tags.tmp/sandbox" -n 10000 -sigs 100 \
		-out "$out/tags.tmp/expected.json"
	mv "$out/tags.tmp" "$out/tags"
	# shellcheck disable=SC2086
	stamp_of build/scripts/seedtags/main.go $sandbox_sources >"$out/tags.stamp"
}

seed_history() {
	# shellcheck disable=SC2086
	seeded history build/scripts/seedhistory/main.go $store_sources && return 0
	say "seeding 100,000 history events through backend/store (once)"
	rm -rf "$out/history.tmp"
	mkdir -p "$out/history.tmp"
	go run ./build/scripts/seedhistory -db "$out/history.tmp/imagedesk.db" -n 100000 \
		-text svc-042 >"$out/history.tmp/seeded.json"
	mv "$out/history.tmp" "$out/history"
	# shellcheck disable=SC2086
	stamp_of build/scripts/seedhistory/main.go $store_sources >"$out/history.stamp"
}

# --- versions and history: Chromium through the dev build ------------------------

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# start_dev DATA: the dev build on DATA, serving the built frontend on a loopback
# port; sets url. Report jobs wait an hour, so the sandbox stays idle meanwhile.
start_dev() {
	local data=$1 port i
	port=$(free_port)
	use_home "$work/dev-home"
	env "${home_env[@]}" devserver=127.0.0.1:$port assetdir=$root/frontend/dist \
		loglevel=Warning IMAGEDESK_SANDBOX_REPORT_DELAY=1h setsid "$dev" --data-dir "$data" \
		>"$work/dev.log" 2>&1 &
	app=$!
	url=http://127.0.0.1:$port
	for i in $(seq 1 600); do
		curl -fsS -o /dev/null "$url/" 2>/dev/null && return 0
		kill -0 "$app" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 20 "$work/dev.log" >&2
	die "the dev build did not serve $url"
}

# in_chromium PART FILE: runs the page measurements and records their numbers.
in_chromium() {
	local part=$1 file=$2 line r=0 pair
	(cd frontend && env "${home_env[@]}" IMAGEDESK_E2E_URL="$url" \
		node bench/window.mjs "$part" "$file" "$runs") >"$work/$part.jsonl" || {
		tail -n 20 "$work/dev.log" >&2
		die "$part failed"
	}
	while IFS= read -r line; do
		r=$((r + 1))
		say "$part run $r: $line"
		for pair in $(printf '%s\n' "$line" | grep -o '"[a-z0-9_]*":-*[0-9.]*' | tr -d '"'); do
			record "$part" "${pair%%:*}" "$r" "${pair#*:}"
		done
	done <"$work/$part.jsonl"
	[ "$r" -eq "$runs" ] || die "$part: $r runs reported, want $runs"
}

bench_versions() {
	seed_tags
	local data=$work/versions
	mkdir -p "$data/data"
	cp -a "$out/tags/sandbox" "$data/data/sandbox"
	start_dev "$data"
	say "versions: $runs runs in Chromium on $url"
	in_chromium versions "$out/tags/expected.json"
	stop_app
}

bench_history() {
	seed_history
	local data=$work/history
	mkdir -p "$data/data"
	cp -a "$out/history/." "$data/data/"
	rm -f "$data/data/seeded.json"
	start_dev "$data"
	say "history: $runs runs in Chromium on $url"
	in_chromium history "$out/history/seeded.json"
	stop_app
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
for p in $parts; do
	"bench_$p"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- summary ---------------------------------------------------------------------

# stats PART METRIC: "median min max" over the runs.
stats() {
	awk -F'\t' -v p="$1" -v m="$2" '$1 == p && $2 == m {print $4}' "$metrics" | sort -g |
		awk '{a[NR] = $1} END {
			if (NR == 0) { print "nan nan nan"; exit }
			med = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			print med, a[1], a[NR] }'
}

table=$work/table.md
verdicts=$work/verdicts.md
: >"$verdicts"
{
	echo "| part | measurement | median | min | max |"
	echo "|---|---|--:|--:|--:|"
} >"$table"
row() { # PART METRIC LABEL
	local med lo hi
	read -r med lo hi < <(stats "$1" "$2")
	[ "$med" = nan ] && return 0
	printf '| %s | %s | %s | %s | %s |\n' "$1" "$3" "$med" "$lo" "$hi" >>"$table"
}
# verdict PART METRIC LABEL LIMIT: the median against a limit, in words.
verdict() {
	local med lo hi
	read -r med lo hi < <(stats "$1" "$2")
	[ "$med" = nan ] && return 0
	awk -v l="$3" -v m="$med" -v x="$hi" -v t="$4" 'BEGIN {
		printf "- %s: median %s ms, worst %s ms (target <= %s): %s\n", l, m, x, t,
			(m > t ? "MISSED" : x > t ? "met by the median, not by every run" : "met") }' \
		>>"$verdicts"
}

row start cold_first_paint_ms "first paint, new data dir (first sandbox start included), ms"
row start bare_first_paint_ms "first paint, new data dir and new home (nothing cached), ms"
row start warm_first_paint_ms "first paint, existing data dir, ms"
row versions list_ms "click image → 10,000 versions sorted and painted, ms"
row versions filter_ms "filter \"99\" → 100 versions painted, ms"
row versions clear_ms "clear filter → 10,000 versions painted, ms"
row versions frame_p50_ms "scroll top → bottom: frame p50, ms"
row versions frame_p95_ms "scroll top → bottom: frame p95, ms"
row versions frame_max_ms "scroll top → bottom: longest frame, ms"
row versions dropped_frames "scroll top → bottom: dropped frames (of $(stats versions frames |
	cut -d' ' -f1))"
row history open_ms "open History → first page and total painted, ms"
row history filter_ms "text filter → matches painted (includes 200 ms debounce), ms"
row history to_row_1000_ms "scroll to row 1,000 (pages of 100 load on the way), ms"
row history page_stalls "pages the scroll had to stop and wait for at the bottom"
row history stall_max_ms "longest wait at the bottom for a page (0: none), ms"
row history frame_p50_ms "scrolling: frame p50, ms"
row history frame_p95_ms "scrolling: frame p95, ms"
row history frame_max_ms "scrolling: longest frame, ms"
row history dropped_frames "scrolling: dropped frames (of $(stats history frames | cut -d' ' -f1))"

verdict versions list_ms "10,000 versions listed" 1000
verdict versions frame_p95_ms "version list scroll, frame p95" 50
verdict history open_ms "History first page" 1000
verdict history filter_ms "History text filter" 1000
verdict history frame_p95_ms "History scroll, frame p95" 50

echo
cat "$table"
echo
cat "$verdicts"

# --- docs/BENCHMARKS.md: the Window section, between its markers -----------------

[ -n "$doc" ] || exit 0
if [ "$parts" != "start versions history" ]; then
	say "not every part ran: $doc left as it is"
	exit 0
fi
begin='<!-- window: written by build/scripts/bench-window.sh; bench.sh keeps it -->'
end='<!-- /window -->'
section=$work/window.md
webkit=$(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo unknown)
{
	echo "$begin"
	echo "## Window"
	echo
	echo "Written by \`make bench-window\` (build/scripts/bench-window.sh), which \`make bench\`"
	echo "also runs at its end."
	echo
	echo "- date: $started"
	echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
		"nproc $(nproc); memory" \
		"$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "- kernel: $(uname -sr); $(go version | cut -d' ' -f3-); WebKitGTK $webkit;" \
		"$(chromium --version 2>/dev/null | head -n1)"
	echo "- load average (1, 5, 15 min) before: $load_before; after: $load_after"
	echo "- runs: $runs of each (\`BENCH_RUNS\`); median, min and max below"
	echo
	echo "Reproduce:"
	echo
	echo "    make bench-window"
	echo
	echo "What is measured:"
	echo
	echo "- start: the production binary (\`build/bin/imagedesk --verbose\`) in WebKitGTK"
	echo "  under Xvfb (1280x900, software GL), no session bus. The figure is the app's debug"
	echo "  line \"first paint\": milliseconds from the process start (kernel start time in"
	echo "  /proc/self/stat, 10 ms steps) to two animation frames after the shell became"
	echo "  visible. A new data directory includes the first-run sandbox start (registry,"
	echo "  demo images pushed and signed) before the window opens; an existing one is a"
	echo "  normal start (the sandbox starts on its existing storage). \"New home\" also"
	echo "  empties HOME and XDG_CACHE_HOME, so WebKit and Mesa (its shader cache) start"
	echo "  from nothing too; the other two share one home that has run the app before."
	echo "- versions and history: the dev build (\`build/bin/imagedesk-dev\`, same Go code,"
	echo "  the built frontend served on 127.0.0.1) in headless Debian Chromium with"
	echo "  \`--disable-gpu\`, driven by frontend/bench/window.mjs; each run is a fresh"
	echo "  browser profile and page. Times are taken in the page (performance.now(),"
	echo "  requestAnimationFrame) up to the frame after the result is in the DOM, and"
	echo "  checked: first rows in numeric order (which string order is not), row count,"
	echo "  the last row marked newest, filtered rows all matching."
	echo "- versions: the sandbox image base-images/basic/bench with 10,000 version tags"
	echo "  (1.0.0 … 10.9.99, pushed shuffled) and 100 \`sha256-<hex>.sig\` tags, made by"
	echo "  build/scripts/seedtags. The list call goes through the artifact API, natural sort"
	echo "  and folding in Go, then the virtual list. Scrolling moves 800 px (25 rows) a frame."
	echo "- history: 100,000 events written through backend/store by build/scripts/seedhistory"
	echo "  (Start then Finish, as the app does). The filter text \`svc-042\` matches 200."
	echo "  Scrolling moves 300 px a frame; the view loads 100 rows when the end comes near."
	echo "- A dropped frame is a frame interval over 1.5 vsyncs (16.7 ms), counted per vsync"
	echo "  missed."
	echo
	cat "$table"
	echo
	echo "Targets:"
	echo
	cat "$verdicts"
	echo "$end"
} >"$section"

if [ -f "$doc" ] && grep -qF "$begin" "$doc"; then
	awk -v b="$begin" -v e="$end" -v f="$section" '
		$0 == b {while ((getline l < f) > 0) print l; skip = 1; next}
		skip && $0 == e {skip = 0; next}
		!skip {print}' "$doc" >"$doc.part"
elif [ -f "$doc" ] && grep -q '^## Notes$' "$doc"; then
	awk -v f="$section" '
		$0 == "## Notes" && !done {while ((getline l < f) > 0) print l; print ""; done = 1}
		{print}' "$doc" >"$doc.part"
else
	{ [ -f "$doc" ] && cat "$doc" && echo; cat "$section"; } >"$doc.part"
fi
mv "$doc.part" "$doc"
say "wrote the Window section of $doc"
