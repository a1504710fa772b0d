#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The demo: installs what is missing (Debian 12 or 13), builds, starts afterwork-demo on a free port,
# drives realistic traffic at every endpoint, and shows the tasks live: `afterwork tail` in this
# terminal, and the dashboard too when there is a display and it is built. Stops on Ctrl-C or
# after --duration, shuts the server down gracefully and prints a summary.
#
#   scripts/demo.sh [--duration SECONDS] [--port PORT] [--no-install] [--build-dir DIR] [--workers N]
#
# Environment: AFTERWORK_BUILD_DIR (default build-demo), AFTERWORK_DASHBOARD_TARGET (the
# dashboard's CMake target, default afterwork-monitor).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${AFTERWORK_BUILD_DIR:-$root/build-demo}
dashboard_target=${AFTERWORK_DASHBOARD_TARGET:-afterwork-monitor}
duration=0
port=0
install=true
workers=3
while (($#)); do
    case $1 in
        --duration) duration=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --no-install) install=false; shift ;;
        --build-dir) build_dir=$2; shift 2 ;;
        --workers) workers=$2; shift 2 ;;
        -h|--help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "demo: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
[[ $duration =~ ^[0-9]+$ ]] || { echo "demo: --duration takes whole seconds" >&2; exit 2; }

say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }

# 1. Dependencies and build.
if $install; then
    "$root/scripts/install-deps.sh"
fi
command -v curl >/dev/null || { echo "demo: curl is needed for the traffic (apt-get install curl)" >&2; exit 1; }
say "building in $build_dir"
if [[ -f $build_dir/CMakeCache.txt ]]; then
    # An existing build keeps its own settings: turning its tests off would leave a developer's
    # test binaries silently stale.
    cmake -S "$root" -B "$build_dir" >/dev/null
else
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAFTERWORK_BUILD_TESTS=OFF \
        -DAFTERWORK_BUILD_EXAMPLES=OFF >/dev/null
fi
targets=(afterwork-demo)
# The list is read whole first: `ninja ... | grep -q` under pipefail fails whenever grep stops early
# and ninja dies of SIGPIPE, which left the CLI and the dashboard unbuilt at random.
known_targets=$(ninja -C "$build_dir" -t targets all 2>/dev/null || true)
if grep -q '^afterwork:' <<<"$known_targets"; then targets+=(afterwork); fi
if grep -q "^$dashboard_target:" <<<"$known_targets"; then targets+=("$dashboard_target"); fi
cmake --build "$build_dir" --target "${targets[@]}"

demo_bin="$build_dir/server_demo/afterwork-demo"
cli_bin=$(find "$build_dir" -maxdepth 2 -type f -name afterwork -perm -u+x 2>/dev/null | head -1)
dashboard_bin=$(find "$build_dir" -maxdepth 4 -type f -name "$dashboard_target" -perm -u+x 2>/dev/null | head -1)
[[ -x $demo_bin ]] || { echo "demo: $demo_bin was not built (is qcoro-qt6-dev installed?)" >&2; exit 1; }

# 2. The server, on a free port, publishing under a name of its own. Its simulated work mostly
# sleeps, so 8 pool threads keep up with the traffic below on any machine. The server and the tail run
# in sessions of their own, so that Ctrl-C reaches only this script, which then shuts them down in
# order (summary first, then SIGTERM, then the tail once it has shown the drain).
work=$(mktemp -d -t afterwork-demo.XXXXXX)
events="afterwork-demo-$$"
own_session=()
command -v setsid >/dev/null && own_session=(setsid)
# --allow-control: the dashboard's Control menu (cancel, drain) works against the demo; its
# socket is owner-only, so only this user can act on it.
"${own_session[@]}" "$demo_bin" --port "$port" --events "$events" --threads 8 --shutdown-deadline 10 --allow-control \
    >"$work/server.out" 2>"$work/server.log" &
demo_pid=$!
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    kill "$demo_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do
    grep -q 'publishing events' "$work/server.out" 2>/dev/null && break
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.1
done
url=$(grep -o 'http://[0-9.:]*' "$work/server.out" | head -1 || true)
if [[ -z $url ]]; then
    cat "$work/server.out" "$work/server.log" >&2
    echo "demo: afterwork-demo did not start" >&2
    exit 1
fi
sed 's/^/  /' "$work/server.out"

# 3. Watching: the dashboard when there is a display, the tail (or a /tasks summary) always.
if [[ -n $dashboard_bin && ( -n ${DISPLAY:-} || -n ${WAYLAND_DISPLAY:-} ) ]]; then
    say "opening the dashboard"
    "$dashboard_bin" --connect "$events" >"$work/dashboard.log" 2>&1 &
    pids+=($!)
fi
if [[ -n $cli_bin ]]; then
    say "following the tasks live: afterwork tail --connect $events"
    "${own_session[@]}" "$cli_bin" tail --connect "$events" &
    pids+=($!)
else
    say "the afterwork CLI is not built; printing the server's /tasks summary every 2 s"
    (while sleep 2; do
        curl -s "$url/tasks" | python3 -c 'import json,sys; d=json.load(sys.stdin); c=d["counters"]; print("tasks: live %d  scheduled %d  succeeded %d  failed %d  cancelled %d  dropped %d" % (c["live"], c["scheduled"], c["succeeded"], c["failed"], c["cancelled"], c["dropped"]))' 2>/dev/null || true
    done) &
    pids+=($!)
fi

# 4. Traffic, until --duration or Ctrl-C.
traffic_args=(--url "$url" --workers "$workers" --quiet)
((duration > 0)) && traffic_args+=(--duration "$duration")
"$root/server_demo/traffic.sh" "${traffic_args[@]}" >"$work/traffic.out" 2>&1 &
traffic_pid=$!
if ((duration > 0)); then say "running for $duration s (Ctrl-C stops earlier)"; else say "running until Ctrl-C"; fi
interrupted=false
trap 'interrupted=true' INT TERM
wait "$traffic_pid" || true
if $interrupted; then kill -TERM "$traffic_pid" 2>/dev/null || true; wait "$traffic_pid" 2>/dev/null || true; fi
trap cleanup EXIT

# 5. Summary and a graceful shutdown.
summary=$(curl -s "$url/tasks" || true)
kill -TERM "$demo_pid"
status=0
wait "$demo_pid" || status=$?
sleep 0.3 # let the tail print the last lines (bye)
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
echo
say "traffic"
sed 's/^/  /' "$work/traffic.out"
if [[ -n $summary ]]; then
    say "engine counters before the shutdown"
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("  " + "  ".join("%s %s" % kv for kv in d["counters"].items())); print("  global error handler calls: %s" % d["global_handler_calls"])' "$summary" 2>/dev/null || echo "  $summary"
fi
say "shutdown"
grep -E 'shutdown report|bye' "$work/server.out" | sed 's/^/  /'
exit "$status"
