#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Realistic traffic for afterwork-demo: every endpoint, in a plausible mix, with some failures,
# shielded payments, bad input now and then. Prints a summary by status and endpoint at the end.
#
#   server_demo/traffic.sh --url http://127.0.0.1:8000 [--duration SECONDS] [--workers N] [--quiet]
#
# Stops after --duration (default: until interrupted) or on Ctrl-C / SIGTERM.
set -uo pipefail

url=""
duration=0
workers=3
quiet=false
while (($#)); do
    case $1 in
        --url) url=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --workers) workers=$2; shift 2 ;;
        --quiet) quiet=true; shift ;;
        -h|--help) sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "traffic: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ -n $url ]] || { echo "traffic: --url is required" >&2; exit 2; }
command -v curl >/dev/null || { echo "traffic: curl is not installed" >&2; exit 1; }

stats=$(mktemp -t afterwork-traffic.XXXXXX)
trap 'rm -f "$stats"' EXIT

# hit METHOD PATH [JSON-BODY]: one request; records "status method path-without-query".
hit() {
    local method=$1 path=$2 body=${3:-} code
    if [[ -n $body ]]; then
        code=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' \
            --data-binary "$body" --max-time 10 "$url$path")
    else
        code=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" --max-time 10 "$url$path")
    fi
    echo "$code $method ${path%%\?*}" >>"$stats"
    $quiet || printf 'traffic: %s %-6s %s\n' "$code" "$method" "$path"
}

pick() { echo $((RANDOM % $1)); }

one_request() {
    local roll=$((RANDOM % 100)) id=$((RANDOM % 900 + 100))
    local modes=(immediate after_route after_response) works=(sync async)
    if ((roll < 14)); then hit POST "/notify?email=user$id%40example.org"
    elif ((roll < 24)); then hit POST "/process/$id"
    elif ((roll < 28)); then hit POST "/critical"
    elif ((roll < 36)); then hit POST "/payments?payment_id=$id&amount=$((RANDOM % 200)).$((RANDOM % 100))"
    elif ((roll < 40)); then hit POST "/payments?payment_id=$id&amount=42.50&flow=process&decline=$(( $(pick 3) == 0 ))"
    elif ((roll < 50)); then hit POST "/order" "{\"item\":\"book-$id\",\"qty\":$(( $(pick 4) + 1 )),\"express\":$( (($(pick 2))) && echo true || echo false)}"
    elif ((roll < 53)); then hit POST "/risky"
    elif ((roll < 56)); then
        # Error tracking: one in three has no user_id, fails, and shows up in GET /errors.
        if (($(pick 3))); then hit POST "/process" "{\"user_id\":$id,\"plan\":\"pro\"}"
        else hit POST "/process" "{\"plan\":\"pro\"}"; fi
    elif ((roll < 59)); then hit POST "/flaky"
    elif ((roll < 63)); then hit POST "/comprehensive"
    elif ((roll < 65)); then
        # The global config, inherited or overridden.
        if (($(pick 2))); then hit POST "/tasks?fail=task$(( $(pick 4) + 1 ))"
        else hit POST "/task?fail=$(( $(pick 3) == 0 ))"; fi
    elif ((roll < 80)); then
        local count=$(( $(pick 3) + 1 )) ms=$(( ($(pick 10) + 1) * 100 ))
        local fail=$(( $(pick 10) == 0 )) shield=$(( $(pick 5) == 0 )) routefail=$(( $(pick 25) == 0 ))
        hit POST "/tasks/spawn?name=batch_$id&count=$count&ms=$ms&mode=${modes[$(pick 3)]}&work=${works[$(pick 2)]}&fail=$fail&shield=$shield&route_fail=$routefail"
    elif ((roll < 85)); then hit POST "/deferred?ms=$(( ($(pick 8) + 1) * 100 ))"
    elif ((roll < 88)); then hit GET "/tasks"
    elif ((roll < 90)); then hit GET "/errors"
    elif ((roll < 92)); then hit GET "/healthz"
    else
        # Bad input, as real clients send it: each gets its JSON error and the server stays up.
        case $(pick 5) in
            0) hit POST "/notify" ;;                        # 422: email missing
            1) hit POST "/process/abc" ;;                   # 422: user_id not an int
            2) hit POST "/tasks/spawn?count=5000" ;;        # 422: count out of range
            3) hit GET "/no-such-page" ;;                   # 404
            4) hit POST "/order" '{"item": "broken' ;;      # 400: malformed JSON
        esac
    fi
}

worker() {
    local until=$1
    while ((until == 0 || SECONDS < until)); do
        one_request
        sleep "0.$(printf '%02d' $(( $(pick 40) + 10 )))" # pacing between a user's clicks, 0.1-0.5 s
    done
}

summary() {
    local total
    total=$(wc -l <"$stats")
    echo "traffic: $total requests"
    echo "traffic: by status:   $(awk '{print $1}' "$stats" | sort | uniq -c | awk '{printf "%s×%s  ", $2, $1}')"
    echo "traffic: by endpoint:"
    awk '{path = $3; gsub(/\/[0-9]+/, "/{id}", path); print $2" "path}' "$stats" | sort | uniq -c | sort -rn |
        awk '{printf "  %5d  %s %s\n", $1, $2, $3}'
}

until=0
((duration > 0)) && until=$((SECONDS + duration))
pids=()
for ((i = 0; i < workers; i++)); do
    worker "$until" &
    pids+=($!)
done
stop() { kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null; summary; exit 0; }
trap stop INT TERM
wait "${pids[@]}"
summary
