#!/usr/bin/env bash
# A real trace backend on this machine: the Zipkin server (exec jar from Maven Central), in-memory storage.
#   deploy/zipkin/zipkin.sh start    resolve the jar into .zipkin/ (once), start, wait for /health; idempotent
#   deploy/zipkin/zipkin.sh stop     stop what start started (by its pid file); idempotent
#   deploy/zipkin/zipkin.sh status   exit 0 and print the endpoints when up, exit 3 when down
#   deploy/zipkin/zipkin.sh endpoint print Zipkin's span intake URL (POST /api/v2/spans)
#
# otptrace sends to Zipkin natively, through OpenTelemetry's Zipkin exporter (`--otlp-protocol zipkin`), to Zipkin's
# own JSON v2 API: no OTLP module or bridge in between. The UI is at http://127.0.0.1:$ZIPKIN_PORT/zipkin/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${ZIPKIN_CACHE:-$root/.zipkin}"
zipkin_version="${ZIPKIN_VERSION:-3.6.1}"
zipkin_port="${ZIPKIN_PORT:-9411}"
zipkin_jar="$cache/zipkin-server-$zipkin_version-exec.jar"
zipkin_url="http://127.0.0.1:$zipkin_port"

log() { echo "zipkin.sh: $*" >&2; }
healthy() { curl -fsS --max-time 2 "$1/health" >/dev/null 2>&1; }

resolve() {
  mkdir -p "$cache"
  [[ -f "$zipkin_jar" ]] && return 0
  log "resolving io.zipkin:zipkin-server:$zipkin_version:exec"
  mvn -B -q dependency:copy -Dartifact="io.zipkin:zipkin-server:$zipkin_version:jar:exec" -DoutputDirectory="$cache" \
    -Dmdep.overWriteIfNewer=false >"$cache/mvn.log" 2>&1 || { log "cannot resolve zipkin-server (see $cache/mvn.log)"; exit 1; }
}

wait_healthy() {
  for _ in $(seq 1 180); do
    healthy "$zipkin_url" && return 0
    kill -0 "$(cat "$cache/zipkin.pid")" 2>/dev/null || { log "Zipkin exited; see $cache/zipkin.log"; return 1; }
    sleep 1
  done
  log "$zipkin_url/health did not answer within 180 s"; return 1
}

start() {
  resolve
  if ! healthy "$zipkin_url"; then
    log "starting Zipkin $zipkin_version on $zipkin_port"
    nohup env QUERY_PORT="$zipkin_port" java -Xmx1g -jar "$zipkin_jar" >"$cache/zipkin.log" 2>&1 &
    echo $! >"$cache/zipkin.pid"
    wait_healthy
  fi
  status
}

stop() {
  local pidfile="$cache/zipkin.pid"
  if [[ -f "$pidfile" ]]; then
    local pid; pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$pidfile"
  fi
  log "stopped"
}

status() {
  if healthy "$zipkin_url"; then
    echo "zipkin: running; ui $zipkin_url/zipkin/; api $zipkin_url/api/v2; spans $zipkin_url/api/v2/spans"
    return 0
  fi
  echo "zipkin: stopped"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  endpoint) echo "$zipkin_url/api/v2/spans" ;;
  *) echo "usage: $0 start|stop|status|endpoint" >&2; exit 2 ;;
esac
