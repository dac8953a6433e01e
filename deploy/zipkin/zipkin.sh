#!/usr/bin/env bash
# A real trace backend on this machine: the Zipkin server (exec jar from Maven Central) with an OTLP/HTTP intake.
#   deploy/zipkin/zipkin.sh start    resolve the jars into .zipkin/ (once), start, wait for /health; idempotent
#   deploy/zipkin/zipkin.sh stop     stop what start started (by its pid files); idempotent
#   deploy/zipkin/zipkin.sh status   exit 0 and print the endpoints when up, exit 3 when down
#   deploy/zipkin/zipkin.sh endpoint print the OTLP/HTTP traces URL
#
# OTLP intake: Zipkin's OTLP module (io.zipkin.contrib.otel:zipkin-module-otel, classifier module) loaded with
# Spring Boot's PropertiesLauncher, loader.path and the "otel" profile, serving POST /v1/traces on 9411. When Maven
# cannot resolve that module (this workplace's registry mirror does not serve it), the OTLP bridge in bridge/
# (official OTLP protobuf classes -> Zipkin's own POST /api/v2/spans) serves POST /v1/traces on 4318 instead.
# Either way the traces are stored by Zipkin and read back through Zipkin's API (GET /api/v2/trace/{traceId}).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${ZIPKIN_CACHE:-$root/.zipkin}"
zipkin_version="${ZIPKIN_VERSION:-3.6.1}"
module_version="${ZIPKIN_OTEL_MODULE_VERSION:-0.3.0}"
zipkin_port="${ZIPKIN_PORT:-9411}"
bridge_port="${ZIPKIN_BRIDGE_PORT:-4318}"
zipkin_jar="$cache/zipkin-server-$zipkin_version-exec.jar"
module_jar="$cache/zipkin-module-otel-$module_version-module.jar"
zipkin_url="http://127.0.0.1:$zipkin_port"

log() { echo "zipkin.sh: $*" >&2; }
healthy() { curl -fsS --max-time 2 "$1/health" >/dev/null 2>&1; }

# Copies one artifact from Maven Central into the cache; returns non-zero when it cannot be resolved.
fetch() {
  local coords=$1
  mvn -B -q dependency:copy -Dartifact="$coords" -DoutputDirectory="$cache" -Dmdep.overWriteIfNewer=false >"$cache/mvn.log" 2>&1
}

resolve() {
  mkdir -p "$cache"
  if [[ ! -f "$zipkin_jar" ]]; then
    log "resolving io.zipkin:zipkin-server:$zipkin_version:exec"
    fetch "io.zipkin:zipkin-server:$zipkin_version:jar:exec" || { log "cannot resolve zipkin-server (see $cache/mvn.log)"; exit 1; }
  fi
  if [[ ! -f "$module_jar" && ! -f "$cache/module-unavailable" ]]; then
    log "resolving io.zipkin.contrib.otel:zipkin-module-otel:$module_version:module"
    fetch "io.zipkin.contrib.otel:zipkin-module-otel:$module_version:jar:module" || {
      log "zipkin-module-otel $module_version is not served by this Maven repository: using the OTLP bridge"
      touch "$cache/module-unavailable"
    }
  fi
  if [[ ! -f "$module_jar" && ! -d "$cache/bridge-libs" ]]; then
    log "resolving the OTLP bridge libraries (io.opentelemetry.proto:opentelemetry-proto)"
    mvn -B -q -f "$here/bridge/pom.xml" dependency:copy-dependencies -DoutputDirectory="$cache/bridge-libs" >"$cache/mvn.log" 2>&1 \
      || { log "cannot resolve the bridge libraries (see $cache/mvn.log)"; exit 1; }
  fi
}

otlp_url() {
  if [[ -f "$module_jar" ]]; then echo "$zipkin_url/v1/traces"; else echo "http://127.0.0.1:$bridge_port/v1/traces"; fi
}

# Starts a background process with its log and pid file, detached from this shell.
spawn() {
  local name=$1; shift
  nohup "$@" >"$cache/$name.log" 2>&1 &
  echo $! >"$cache/$name.pid"
}

wait_healthy() {
  local url=$1 pidfile=$2
  for _ in $(seq 1 180); do
    healthy "$url" && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { log "process exited; see ${pidfile%.pid}.log"; return 1; }
    sleep 1
  done
  log "$url/health did not answer within 180 s"; return 1
}

start() {
  resolve
  if ! healthy "$zipkin_url"; then
    log "starting Zipkin $zipkin_version on $zipkin_port"
    if [[ -f "$module_jar" ]]; then
      spawn zipkin env QUERY_PORT="$zipkin_port" java -Xmx1g -Dloader.path="$module_jar,$module_jar!/lib" \
        -Dspring.profiles.active=otel -cp "$zipkin_jar" org.springframework.boot.loader.launch.PropertiesLauncher
    else
      spawn zipkin env QUERY_PORT="$zipkin_port" java -Xmx1g -jar "$zipkin_jar"
    fi
    wait_healthy "$zipkin_url" "$cache/zipkin.pid"
  fi
  if [[ ! -f "$module_jar" ]] && ! healthy "http://127.0.0.1:$bridge_port"; then
    log "starting the OTLP bridge on $bridge_port"
    spawn bridge env BRIDGE_PORT="$bridge_port" ZIPKIN_URL="$zipkin_url" java -Xmx128m -cp "$cache/bridge-libs/*" "$here/bridge/OtlpZipkinBridge.java"
    wait_healthy "http://127.0.0.1:$bridge_port" "$cache/bridge.pid"
  fi
  otlp_url >"$cache/otlp-endpoint"
  status
}

stop_one() {
  local pidfile="$cache/$1.pid"
  [[ -f "$pidfile" ]] || return 0
  local pid; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
}

stop() {
  stop_one bridge
  stop_one zipkin
  log "stopped"
}

status() {
  if healthy "$zipkin_url" && { [[ -f "$module_jar" ]] || healthy "http://127.0.0.1:$bridge_port"; }; then
    echo "zipkin: running; api $zipkin_url/api/v2; otlp $(otlp_url)"
    return 0
  fi
  echo "zipkin: stopped"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  endpoint) otlp_url ;;
  *) echo "usage: $0 start|stop|status|endpoint" >&2; exit 2 ;;
esac
