#!/usr/bin/env bash
# bench.sh: push and pull with ImageDesk beside crane and skopeo, on loopback.
#
# For each target registry (Debian's docker-registry, i.e. CNCF distribution 2.8,
# and the ImageDesk sandbox) it pushes a 1 GiB 4-layer and a 200-layer
# uncompressed docker-archive with each tool, tools taking turns, every push
# cold (the registry is restarted on empty storage before each one), then pulls
# the same ImageDesk-pushed image with each tool. Every run is measured with
# /usr/bin/time; the medians go to standard output and to docs/BENCHMARKS.md.
#
#   build/scripts/bench.sh            (or: make bench)
#
# Environment:
#   BENCH_RUNS=3                      runs per tool, operation and image (1-20)
#   BENCH_TARGETS="distribution sandbox"
#   BENCH_IMAGES="big small"          big: 4 x 256 MiB layers; small: 200 x 256 KiB
#   BENCH_BIN=PATH                    an ImageDesk binary (default: built here)
#   BENCH_DOC=docs/BENCHMARKS.md      where the report goes ("" for none)
#
# Everything it starts listens on 127.0.0.1 and is stopped on exit; its files
# live in build/bin/bench (archives, kept) and a run directory there (removed).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

runs=${BENCH_RUNS:-3}
targets=${BENCH_TARGETS:-distribution sandbox}
images=${BENCH_IMAGES:-big small}
doc=${BENCH_DOC-docs/BENCHMARKS.md}
out=$root/build/bin/bench
peers=$root/build/bin/peers
crane_version=v0.22.1

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

case $runs in
''|*[!0-9]*) die "BENCH_RUNS must be a number from 1 to 20" ;;
esac
[ "$runs" -ge 1 ] && [ "$runs" -le 20 ] || die "BENCH_RUNS must be from 1 to 20"
for t in $targets; do
	case $t in distribution|sandbox) ;; *) die "unknown target $t" ;; esac
done
for i in $images; do
	case $i in big|small) ;; *) die "unknown image $i" ;; esac
done

# --- 1. peers and system tools -------------------------------------------------

install_missing() {
	local pkgs=() pair
	for pair in skopeo:skopeo /usr/bin/time:time htpasswd:apache2-utils \
		docker-registry:docker-registry curl:curl dbus-run-session:dbus \
		dbus-send:dbus gnome-keyring-daemon:gnome-keyring; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || pkgs+=("${pair#*:}")
	done
	[ ${#pkgs[@]} -eq 0 ] && return 0
	say "installing ${pkgs[*]}"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${pkgs[@]}" >/dev/null
}

if [ "${BENCH_IN_KEYRING:-}" != 1 ]; then
	install_missing
	# ImageDesk's pull reads the password from the OS keyring: run everything
	# on a private bus with a throwaway unlocked keyring.
	export BENCH_IN_KEYRING=1
	exec backend/secrets/testdata/with-keyring.sh "$root/build/scripts/bench.sh" "$@"
fi

mkdir -p "$out" "$peers"
crane=$peers/crane
if [ "$("$crane" version 2>/dev/null || true)" != "$crane_version" ]; then
	say "installing crane $crane_version into $peers"
	GOBIN=$peers go install \
		"github.com/google/go-containerregistry/cmd/crane@$crane_version"
fi

# ImageDesk's command line: the same code as the window, no build tags needed.
if [ -n "${BENCH_BIN:-}" ]; then
	bin=$(realpath "$BENCH_BIN")
else
	say "building the imagedesk command line"
	go build -trimpath -o "$out/imagedesk" .
	bin=$out/imagedesk
fi

# --- 2. archives ---------------------------------------------------------------

gen=build/scripts/bench/main.go
make_archive() { # name layers size-per-layer
	local f=$out/$1.tar
	if [ -s "$f" ] && [ "$f" -nt "$gen" ]; then
		return 0
	fi
	say "generating $f ($2 layers of $3 bytes)"
	go run ./build/scripts/bench -o "$f" -layers "$2" -size "$3" -tag "bench/$1:v1"
}
for img in $images; do
	case $img in
	big) make_archive big 4 $((256 << 20)) ;;
	small) make_archive small 200 $((256 << 10)) ;;
	esac
done

# --- run directory, servers and cleanup ----------------------------------------

work=$(mktemp -d "$out/run.XXXXXX")
srv_pid=""
skopeo_cache=/var/lib/containers/cache
[ "$(id -u)" -eq 0 ] || skopeo_cache=${XDG_DATA_HOME:-$HOME/.local/share}/containers/cache
skopeo_cache=$skopeo_cache/blob-info-cache-v1.boltdb
skopeo_cache_ours=0
[ -e "$skopeo_cache" ] || skopeo_cache_ours=1

stop_server() {
	[ -n "$srv_pid" ] || return 0
	kill -TERM "$srv_pid" 2>/dev/null || true
	local i
	for i in $(seq 1 100); do
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$srv_pid" 2>/dev/null || true
	wait "$srv_pid" 2>/dev/null || true
	srv_pid=""
}

cleanup() {
	stop_server
	rm -rf "$work"
	# skopeo keeps a blob cache of its own; remove it if this run made it.
	if [ "$skopeo_cache_ours" = 1 ]; then
		rm -f "$skopeo_cache"
		rmdir -p "$(dirname "$skopeo_cache")" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'say "stopped by an error at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

user=bench
od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$work/pw"
chmod 600 "$work/pw"
export DOCKER_CONFIG=$work/docker
auth=$DOCKER_CONFIG/config.json
mkdir -p "$work/log"

free_port() {
	local i p
	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free port found"
}

# wait_ready waits until the registry at $reg asks for credentials.
wait_ready() {
	local i code
	for i in $(seq 1 150); do
		kill -0 "$srv_pid" 2>/dev/null || return 1
		code=$(curl -s -o /dev/null -w '%{http_code}' "http://$reg/v2/" || true)
		[ "$code" = 401 ] && return 0
		sleep 0.1
	done
	return 1
}

# start_target starts $1 on empty storage at port $port and sets reg, api,
# repo_flag (ImageDesk's --repo) and prefix (the path before the image name).
start_target() {
	local t=$1 dir=$work/srv
	rm -rf "$dir"
	mkdir -p "$dir"
	reg=127.0.0.1:$port
	api=http://$reg
	case $t in
	distribution)
		htpasswd -B -i -c "$dir/htpasswd" "$user" <"$work/pw" 2>/dev/null
		cat >"$dir/config.yml" <<-EOF
			version: 0.1
			log:
			  level: error
			  accesslog:
			    disabled: true
			storage:
			  filesystem:
			    rootdirectory: $dir/data
			  delete:
			    enabled: true
			  maintenance:
			    uploadpurging:
			      enabled: false
			http:
			  addr: $reg
			  secret: $(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
			auth:
			  htpasswd:
			    realm: bench
			    path: $dir/htpasswd
		EOF
		docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
		srv_pid=$!
		repo_flag=bench=1000000000000001:base
		prefix=bench/basic
		;;
	sandbox)
		"$bin" --data-dir "$dir/home" sandbox --listen "$reg" --data "$dir/data" \
			--password-file "$work/pw" --user "$user" --no-demo --json \
			>"$dir/out" 2>"$dir/log" &
		srv_pid=$!
		prefix=base-images/basic
		;;
	esac
	if ! wait_ready; then
		cat "$dir/log" >&2 || true
		die "$t did not start on $reg"
	fi
	if [ "$t" = sandbox ]; then
		local id
		id=$(grep -o '"id":[0-9]*,"name":"base-images"' "$dir/out" | grep -o '[0-9][0-9]*' |
			head -n1)
		[ -n "$id" ] || die "the sandbox printed no base-images repository"
		repo_flag=base-images=$id:base
	fi
}

restart_target() {
	stop_server
	start_target "$1"
}

# --- 3. and 4. runs --------------------------------------------------------------

results=$work/results.tsv
: >"$results"
failures=()

# timed TARGET OP IMAGE TOOL RUN CMD...: runs CMD under /usr/bin/time, its
# standard input from $stdin if set, and records wall, user, sys and max RSS;
# a failed run is recorded as failed and leaves last=failed.
timed() {
	local t=$1 op=$2 img=$3 tool=$4 r=$5 status=ok
	shift 5
	local key=$t-$op-$img-$tool-$r
	local tf=$work/time.txt log=$work/log/$key.log wall usr sys rss
	rm -f "$tf"
	if ! /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" <"${stdin:-/dev/null}" >"$log" 2>&1
	then
		status=failed
	fi
	read -r wall usr sys rss < <(tail -n1 "$tf" 2>/dev/null || echo 0 0 0 0)
	last=$status
	if [ "$status" != ok ]; then
		failures+=("$key: $(tail -n3 "$log" | tr '\n' ' ')")
		say "$key failed: $(tail -n3 "$log" | tr '\n' ' ')"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$op" "$img" "$tool" "$r" \
		"$status" "$wall" "$usr" "$sys" "$rss" >>"$results"
	say "$(printf '%-34s %7ss  cpu %6.1fs  rss %5d MiB  %s' "$key" "$wall" \
		"$(echo "$usr $sys" | awk '{print $1 + $2}')" $((${rss:-0} / 1024)) "$status")"
}

# rotate N WORDS...: the words rotated left by N, so that tools take turns first.
rotate() {
	local n=$1
	shift
	local a=("$@") i
	for i in "${!a[@]}"; do
		printf '%s ' "${a[$(((i + n) % ${#a[@]}))]}"
	done
}

push_one() { # target image tool run
	local t=$1 img=$2 tool=$3 r=$4
	local ref=$reg/$prefix/$img:v1
	case $tool in
	imagedesk)
		stdin=$work/pw timed "$t" push "$img" "$tool" "$r" \
			"$bin" --data-dir "$work/home-$tool-$r" push "$out/$img.tar" --api "$api" \
			--registry "$reg" --plain-http --user "$user" --password-stdin \
			--repo "$repo_flag" --name "$img" --version v1 --yes --json
		rm -rf "$work/home-$tool-$r"
		;;
	crane)
		timed "$t" push "$img" "$tool" "$r" "$crane" push --insecure "$out/$img.tar" "$ref"
		;;
	skopeo)
		[ "$skopeo_cache_ours" = 1 ] && rm -f "$skopeo_cache"
		timed "$t" push "$img" "$tool" "$r" skopeo copy --quiet --dest-tls-verify=false \
			--dest-authfile "$auth" "docker-archive:$out/$img.tar" "docker://$ref"
		;;
	esac
	# The push counts only if the registry now serves the manifest; the sizes
	# in it tell how well each tool compressed.
	local man
	[ "$last" = ok ] || return 0
	if ! man=$("$crane" manifest --insecure "$ref" 2>/dev/null); then
		failures+=("$t-push-$img-$tool-$r: no manifest at $ref after the push")
		say "$t-push-$img-$tool-$r: no manifest at $ref after the push"
		return 0
	fi
	printf '%s\n' "$man" | { grep -o '"size": *[0-9]*' || true; } | tr -d ' ' |
		awk -F: -v k="$t\t$img\t$tool" '{s += $2} END {printf "%s\t%d\n", k, s}' \
			>>"$work/stored.tsv"
}

pull_one() { # target image tool run
	local t=$1 img=$2 tool=$3 r=$4
	local ref=$reg/$prefix/$img:v1 dst=$work/pulled.tar
	rm -f "$dst"
	case $tool in
	imagedesk)
		local home=$work/home-pull-$r
		"$bin" --data-dir "$home" profile add bench --api "$api" --registry "$reg" \
			--plain-http --user "$user" --repo "$repo_flag" --password-stdin \
			<"$work/pw" >"$work/log/$t-profile-$r.log" 2>&1 ||
			die "profile add failed: $(cat "$work/log/$t-profile-$r.log")"
		timed "$t" pull "$img" "$tool" "$r" \
			"$bin" --data-dir "$home" pull "$ref" -o "$dst" --profile bench
		"$bin" --data-dir "$home" profile rm bench >/dev/null 2>&1 || true
		rm -rf "$home"
		;;
	crane)
		timed "$t" pull "$img" "$tool" "$r" "$crane" pull --insecure "$ref" "$dst"
		;;
	skopeo)
		timed "$t" pull "$img" "$tool" "$r" skopeo copy --quiet --src-tls-verify=false \
			--src-authfile "$auth" "docker://$ref" "docker-archive:$dst:$prefix/$img:v1"
		;;
	esac
	# The pull counts only if it wrote an archive with a manifest and at least
	# the bytes the registry stores for the image.
	local min
	min=$(awk -F'\t' -v t="$t" -v i="$img" '$1 == t && $2 == i {print $3}' "$sizes")
	if [ "$last" = ok ] && { ! tar -tf "$dst" manifest.json >/dev/null 2>&1 ||
		[ "$(stat -c %s "$dst")" -lt "${min:-1}" ]; }; then
		failures+=("$t-pull-$img-$tool-$r: the archive written is incomplete")
		say "$t-pull-$img-$tool-$r: the archive written is incomplete"
	fi
	rm -f "$dst"
}

# interrupt_at_half TARGET TOOL PID [SIGNAL]: sends SIGNAL (INT) to PID once
# half the tool's median push time of big has passed, and waits for it.
interrupt_at_half() {
	local t=$1 tool=$2 pid=$3 sig=${4:-INT} i half
	half=$(stat_of "$t" push big "$tool" wall | awk '{
		if ($1 == "nan") print 20; else print int($1 * 10 / 2) }')
	for i in $(seq 1 "$half"); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -"$sig" "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# resume_peer TARGET RUN TOOL: stops a crane or skopeo push of big halfway
# through with SIGTERM (skopeo finishes its copy on SIGINT), then times the
# same push again. Neither has a resume of its own; run again, both skip the
# layers the registry already holds.
resume_peer() {
	local t=$1 r=$2 tool=$3 pid
	case $tool in
	crane)
		"$crane" push --insecure "$out/big.tar" "$reg/$prefix/big:v1" \
			>"$work/log/$t-interrupted-$tool-$r.log" 2>&1 &
		pid=$!
		interrupt_at_half "$t" "$tool" "$pid" TERM
		timed "$t" resume big "$tool" "$r" "$crane" push --insecure "$out/big.tar" \
			"$reg/$prefix/big:v1"
		;;
	skopeo)
		skopeo copy --quiet --dest-tls-verify=false --dest-authfile "$auth" \
			"docker-archive:$out/big.tar" "docker://$reg/$prefix/big:v1" \
			>"$work/log/$t-interrupted-$tool-$r.log" 2>&1 &
		pid=$!
		interrupt_at_half "$t" "$tool" "$pid" TERM
		[ "$skopeo_cache_ours" = 1 ] && rm -f "$skopeo_cache"
		timed "$t" resume big "$tool" "$r" skopeo copy --quiet --dest-tls-verify=false \
			--dest-authfile "$auth" "docker-archive:$out/big.tar" "docker://$reg/$prefix/big:v1"
		;;
	esac
}

# resume_one TARGET RUN: interrupts an ImageDesk push of big halfway through
# (by the median time of a whole one), then times the resumed push, which
# should send only what the registry lacks.
resume_one() {
	local t=$1 r=$2 home=$work/home-resume-$r pid id
	local log=$work/log/$t-interrupted-$r.log
	"$bin" --data-dir "$home" push "$out/big.tar" --api "$api" --registry "$reg" \
		--plain-http --user "$user" --password-stdin --repo "$repo_flag" --name big \
		--version v1 --yes <"$work/pw" >"$log" 2>&1 &
	pid=$!
	interrupt_at_half "$t" imagedesk "$pid"
	id=$(grep -o 'push --resume [0-9]*' "$log" | grep -o '[0-9]*$' | head -n1)
	if [ -z "$id" ]; then
		failures+=("$t-resume-big-imagedesk-$r: no resume id after the interrupt:" \
			"$(tail -n3 "$log" | tr '\n' ' ')")
		say "$t-resume-big-imagedesk-$r: no resume id: $(tail -n3 "$log" | tr '\n' ' ')"
		rm -rf "$home"
		return 0
	fi
	stdin=$work/pw timed "$t" resume big imagedesk "$r" \
		"$bin" --data-dir "$home" push --resume "$id" --api "$api" --registry "$reg" \
		--plain-http --user "$user" --password-stdin --repo "$repo_flag" --yes --json
	# Bytes sent and skipped by the resumed push, from its JSON result.
	tr -d ' \n' <"$work/log/$t-resume-big-imagedesk-$r.log" |
		{ grep -o '"uploaded":[0-9]*,"skipped":[0-9]*' || true; } |
		tr -dc '0-9,' | tr ',' '\t' | awk -v t="$t" -v r="$r" -F'\t' \
		'{printf "%s\t%s\t%s\t%s\n", t, r, $1, $2}' >>"$work/resumed.tsv"
	rm -rf "$home"
}

median() { sort -g | awk '{a[NR] = $1} END {
	if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2];
	else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# stat_of TARGET OP IMAGE TOOL COLUMN: median over the successful runs; COLUMN
# is wall, cpu (user + sys) or rss (KiB).
stat_of() {
	awk -F'\t' -v t="$1" -v o="$2" -v i="$3" -v k="$4" -v c="$5" '
		$1 == t && $2 == o && $3 == i && $4 == k && $6 == "ok" {
			if (c == "wall") print $7; else if (c == "cpu") print $8 + $9; else print $10 }
	' "$results" | median
}

tools=(imagedesk crane skopeo)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
sizes=$work/sizes.tsv
: >"$sizes"
: >"$work/resumed.tsv"
: >"$work/stored.tsv"

for t in $targets; do
	port=$(free_port)
	start_target "$t"
	"$crane" auth login "$reg" -u "$user" --password-stdin <"$work/pw" >/dev/null 2>&1
	say "$t on $reg"
	for img in $images; do
		for r in $(seq 1 "$runs"); do
			for tool in $(rotate $((r - 1)) "${tools[@]}"); do
				restart_target "$t"
				push_one "$t" "$img" "$tool" "$r"
			done
		done
	done
	case " $images " in
	*" big "*)
		for r in $(seq 1 "$runs"); do
			for tool in $(rotate $((r - 1)) "${tools[@]}"); do
				restart_target "$t"
				if [ "$tool" = imagedesk ]; then
					resume_one "$t" "$r"
				else
					resume_peer "$t" "$r" "$tool"
				fi
			done
		done
		;;
	esac

	# The pulls all fetch the image as ImageDesk pushed it.
	restart_target "$t"
	for img in $images; do
		"$bin" --data-dir "$work/home-seed" push "$out/$img.tar" \
			--api "$api" --registry "$reg" --plain-http --user "$user" --password-stdin \
			--repo "$repo_flag" --name "$img" --version v1 --yes --json \
			<"$work/pw" >"$work/log/$t-seed-$img.log" 2>&1 ||
			die "seeding $t with $img failed: $(cat "$work/log/$t-seed-$img.log")"
		# Compressed size as stored: the sum of the manifest's sizes.
		"$crane" manifest --insecure "$reg/$prefix/$img:v1" |
			grep -o '"size":[0-9]*' | awk -F: -v t="$t" -v i="$img" \
			'{s += $2} END {printf "%s\t%s\t%d\n", t, i, s}' >>"$sizes"
	done
	rm -rf "$work/home-seed"
	[ "$t" = sandbox ] && sleep 5 # let the sandbox write its scan reports first
	for img in $images; do
		for r in $(seq 1 "$runs"); do
			for tool in $(rotate $((r - 1)) "${tools[@]}"); do
				pull_one "$t" "$img" "$tool" "$r"
			done
		done
	done
	stop_server
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- summary -------------------------------------------------------------------

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
	if (a == "nan" || b == "nan" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }

table=$work/table.md
verdicts=$work/verdicts.md
: >"$verdicts"
{
	echo "| target | op | image | tool | wall s | MB/s | CPU s | peak RSS MiB |" \
		"vs skopeo | vs crane |"
	echo "|---|---|---|---|--:|--:|--:|--:|--:|--:|"
} >"$table"
for t in $targets; do
	for op in push resume pull; do
		for img in $images; do
			[ "$op" = resume ] && [ "$img" != big ] && continue
			bytes=$(stat -c %s "$out/$img.tar")
			w_sk=$(stat_of "$t" "$op" "$img" skopeo wall)
			w_cr=$(stat_of "$t" "$op" "$img" crane wall)
			for tool in "${tools[@]}"; do
				w=$(stat_of "$t" "$op" "$img" "$tool" wall)
				c=$(stat_of "$t" "$op" "$img" "$tool" cpu)
				m=$(stat_of "$t" "$op" "$img" "$tool" rss)
				rs=""
				rc=""
				if [ "$tool" = imagedesk ]; then
					rs=$(ratio "$w" "$w_sk")
					rc=$(ratio "$w" "$w_cr")
				fi
				awk -v t="$t" -v o="$op" -v i="$img" -v k="$tool" -v w="$w" -v c="$c" \
					-v m="$m" -v b="$bytes" -v rs="$rs" -v rc="$rc" 'BEGIN {
					if (w == "nan") { printf "| %s | %s | %s | %s | failed | | | | | |\n",
						t, o, i, k; exit }
					printf "| %s | %s | %s | %s | %.2f | %.0f | %.2f | %.0f | %s | %s |\n",
						t, o, i, k, w, b / w / 1e6, c, m / 1024, rs, rc }' >>"$table"
			done
			w=$(stat_of "$t" "$op" "$img" imagedesk wall)
			m=$(stat_of "$t" "$op" "$img" imagedesk rss)
			if [ "$op" = push ]; then
				awk -v t="$t" -v i="$img" -v w="$w" -v s="$w_sk" -v m="$m" 'BEGIN {
					if (w == "nan" || s == "nan") {
						printf "- %s, push %s: no figures\n", t, i; exit }
					ok1 = w <= 0.5 * s; ok2 = m <= 128 * 1024
					printf "- %s, push %s: wall %.2f s = %.2f x skopeo (target <= 0.50): %s;" \
						" peak RSS %.0f MiB (target <= 128): %s\n", t, i, w, w / s,
						ok1 ? "met" : "MISSED", m / 1024, ok2 ? "met" : "MISSED" }' >>"$verdicts"
			elif [ "$op" = pull ]; then
				awk -v t="$t" -v i="$img" -v w="$w" -v c="$w_cr" 'BEGIN {
					if (w == "nan" || c == "nan") {
						printf "- %s, pull %s: no figures\n", t, i; exit }
					printf "- %s, pull %s: wall %.2f s = %.2f x crane pull (target <= 1.00): %s\n",
						t, i, w, w / c, w <= c ? "met" : "MISSED" }' >>"$verdicts"
			fi
		done
	done
done

for t in $targets; do
	w=$(stat_of "$t" resume big imagedesk wall)
	[ "$w" = nan ] && continue
	awk -F'\t' -v t="$t" -v w="$w" -v f="$(stat_of "$t" push big imagedesk wall)" '
		$1 == t {u = u " " sprintf("%.0f", $3 / 1048576); k = k " " sprintf("%.0f", $4 / 1048576)}
		END {printf "- %s, resumed push of big after an interrupt halfway through a" \
			" push: median wall %.2f s (a whole push: %.2f s); MiB sent per run:%s;" \
			" MiB skipped per run:%s\n", t, w, f, u, k}' "$work/resumed.tsv" >>"$verdicts"
	for tool in crane skopeo; do
		p=$(stat_of "$t" resume big "$tool" wall)
		[ "$p" = nan ] && continue
		echo "  - $tool, interrupted the same way and run again: median wall $p s;" \
			"ImageDesk's resume = $(ratio "$w" "$p") x $tool's" >>"$verdicts"
	done
done

echo
cat "$table"
echo
cat "$verdicts"
if [ ${#failures[@]} -gt 0 ]; then
	echo
	printf 'failed: %s\n' "${failures[@]}"
fi

# --- 5. docs/BENCHMARKS.md -------------------------------------------------------

# The window figures come from build/scripts/bench-window.sh, run last; it writes
# its own section of the same file, between markers this rewrite keeps.
window_bench() { BENCH_DOC=$doc "$root/build/scripts/bench-window.sh"; }

[ -n "$doc" ] || { window_bench; exit 0; }
notes_begin='<!-- notes: written by hand, kept by bench.sh when it rewrites this file -->'
notes_end='<!-- /notes -->'
notes=$work/notes.md
if [ -f "$doc" ] && grep -qF "$notes_begin" "$doc"; then
	awk -v b="$notes_begin" -v e="$notes_end" '$0 == b {on = 1} on {print} $0 == e {on = 0}' \
		"$doc" >"$notes"
else
	printf '%s\n%s\n' "$notes_begin" "$notes_end" >"$notes"
fi
window_begin='<!-- window: written by build/scripts/bench-window.sh; bench.sh keeps it -->'
window=$work/window.md
: >"$window"
if [ -f "$doc" ] && grep -qF "$window_begin" "$doc"; then
	awk -v b="$window_begin" -v e='<!-- /window -->' \
		'$0 == b {on = 1} on {print} $0 == e {on = 0}' "$doc" >"$window"
fi

mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
{
	echo "# Benchmarks: push and pull beside crane and skopeo"
	echo
	echo "Written by \`make bench\` (build/scripts/bench.sh); rerun it to refresh the figures."
	echo "Only the notes section at the end is written by hand."
	echo
	echo "## Machine and run"
	echo
	echo "- date: $started"
	echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
		"nproc $(nproc)"
	echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "- kernel: $(uname -sr); $(go version | cut -d' ' -f3-)"
	echo "- load average (1, 5, 15 min) before: $load_before; after: $load_after"
	echo "- tools: $("$bin" version 2>/dev/null | head -n1 || echo imagedesk),"\
		"crane $("$crane" version), $(skopeo --version)," \
		"$(docker-registry --version | cut -d' ' -f2-)"
	echo "- runs: $runs per tool, operation, image and target (\`BENCH_RUNS\`); medians below"
	echo
	echo "## Command"
	echo
	echo "    make bench"
	echo
	echo "which runs \`build/scripts/bench.sh\` (\`BENCH_RUNS=5 make bench\` for more runs)."
	echo
	echo "## What is measured"
	echo
	echo "- Images, uncompressed docker-archives (\`docker save\` layout) written by"\
		"build/scripts/bench/main.go:"
	for img in $images; do
		case $img in
		big) echo "  \`big\`, $(mib "$(stat -c %s "$out/big.tar")"), 4 layers of 256 MiB;" ;;
		small) echo "  \`small\`, $(mib "$(stat -c %s "$out/small.tar")"), 200 layers of" \
			"256 KiB;" ;;
		esac
	done
	echo "- Content: every layer is a tar of files sized log-uniformly from 512 B to 8 MiB;"\
		"35 % of the bytes are random (like compressed assets or stripped code, which gzip"\
		"cannot shrink), 65 % text of made-up words with Zipf-distributed frequencies,"\
		"numbers and indentation (like sources and configuration; gzip shrinks it to about"\
		"30 %). The layers and config as stored in the registry (gzip) weigh:"
	awk -F'\t' '!seen[$1 FS $2 FS $3]++' "$work/stored.tsv" |
		while IFS=$'\t' read -r t i k s; do
			echo "  $t $i pushed by $k: $(mib "$s") ($(awk -v a="$s" \
				-v b="$(stat -c %s "$out/$i.tar")" 'BEGIN {printf "%.0f", 100 * a / b}') %"\
				"of the archive);"
		done
	echo "- Push: \`imagedesk push\` (inline server, \`--yes --json\`), \`crane push\`,"\
		"\`skopeo copy docker-archive:F docker://…\`. Tools take turns (the first tool"\
		"rotates each run); before every push the registry is restarted on empty storage,"\
		"and ImageDesk gets an empty data directory, so every push is cold."
	echo "- Pull: \`imagedesk pull\` (stored profile, password in a throwaway keyring),"\
		"\`crane pull\` (tarball), \`skopeo copy docker://… docker-archive:F\`, all of the"\
		"image as ImageDesk pushed it, written into build/bin/bench and removed after"\
		"each run."
	echo "- Each run is timed with \`/usr/bin/time -f '%e %U %S %M'\`: wall, CPU (user +"\
		"sys) and peak RSS of the tool's process only (not the registry's). MB/s is the"\
		"uncompressed archive size in 10^6 bytes over the wall time."
	echo "- distribution is Debian's docker-registry with filesystem storage and"\
		"htpasswd (bcrypt) auth; sandbox is \`imagedesk sandbox\` (distribution v3 in"\
		"process), both on 127.0.0.1 over plain HTTP."
	echo
	echo "## Results (medians)"
	echo
	echo "\"vs skopeo\" and \"vs crane\" are ImageDesk's median wall time divided by that"
	echo "tool's, for the same target, operation and image."
	echo
	cat "$table"
	echo
	echo "## Targets"
	echo
	echo "Push: wall time at most 0.5 x skopeo's with peak RSS at most 128 MiB."
	echo "Pull: wall time at most 1.0 x crane pull's."
	echo
	cat "$verdicts"
	if [ ${#failures[@]} -gt 0 ]; then
		echo
		echo "## Failed runs"
		echo
		printf -- '- %s\n' "${failures[@]}"
	fi
	echo
	echo "## Every run"
	echo
	echo "| target | op | image | tool | run | status | wall s | user s | sys s | RSS KiB |"
	echo "|---|---|---|---|--:|---|--:|--:|--:|--:|"
	awk -F'\t' -v OFS=' | ' '{$1 = $1; print "| " $0 " |"}' "$results"
	echo
	if [ -s "$window" ]; then
		cat "$window"
		echo
	fi
	echo "## Notes"
	echo
	cat "$notes"
} >"$doc.part"
mv "$doc.part" "$doc"
say "wrote $doc"
window_bench
