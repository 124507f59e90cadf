#!/usr/bin/env bash
# A private RabbitMQ node for the suite's "real broker" profile (config/rabbitmq.yaml).
#
#   scripts/rabbitmq.sh install   apt-get install rabbitmq-server (Debian bookworm: 3.10.8) if missing
#   scripts/rabbitmq.sh start     start a private node (fresh state) with web_stomp + management
#   scripts/rabbitmq.sh stop      stop the node and the epmd it started, by PID
#   scripts/rabbitmq.sh status    say whether it runs and where
#
# Everything lives under $RABBITMQ_DIR (default /tmp/e2e-rabbitmq) and listens on 127.0.0.1 only:
# AMQP 5672, STOMP 61613, Web-STOMP 15674 (ws://127.0.0.1:15674/ws), management 15672,
# distribution 25672, epmd 4369. The system service is never started.
# Admin user: $RABBITMQ_ADMIN_USER / $RABBITMQ_ADMIN_PASSWORD (defaults e2e-admin / e2e-admin-secret),
# tagged administrator with full permissions on "/". Every start begins with an empty node.
set -euo pipefail

DIR=${RABBITMQ_DIR:-/tmp/e2e-rabbitmq}
ADMIN_USER=${RABBITMQ_ADMIN_USER:-e2e-admin}
ADMIN_PASSWORD=${RABBITMQ_ADMIN_PASSWORD:-e2e-admin-secret}
RMQ_BIN=/usr/lib/rabbitmq/bin
WS_PORT=15674
MGMT_PORT=15672
START_TIMEOUT=${RABBITMQ_START_TIMEOUT:-60}

export HOME=$DIR/home   # the Erlang cookie lands here, not in /root
export RABBITMQ_CONFIG_FILE=$DIR/rabbitmq.conf
export RABBITMQ_CONF_ENV_FILE=$DIR/rabbitmq-env.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/enabled_plugins
export RABBITMQ_MNESIA_BASE=$DIR/mnesia
export RABBITMQ_LOG_BASE=$DIR/log
export RABBITMQ_PID_FILE=$DIR/rabbit.pid
export RABBITMQ_NODENAME=rabbit@localhost
export ERL_EPMD_ADDRESS=127.0.0.1

log() { echo "rabbitmq.sh: $*" >&2; }

# the process in pid file $1 runs (a zombie counts as gone: PID 1 here may not reap orphans)
alive() {
  local state
  [[ -f $1 ]] && state=$(ps -o stat= -p "$(cat "$1")" 2>/dev/null) && [[ $state != Z* ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# poll until "$@" succeeds or $1 seconds pass
wait_until() {
  local timeout=$1; shift
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

ports_open() { port_open $WS_PORT && port_open $MGMT_PORT; }
node_gone() { ! alive "$DIR/server.pid" && ! alive "$DIR/rabbit.pid"; }
epmd_gone() { ! alive "$DIR/epmd.pid"; }
ports_closed() { ! port_open $WS_PORT && ! port_open $MGMT_PORT && ! port_open 5672 && ! port_open 25672; }

cmd_install() {
  if [[ -x $RMQ_BIN/rabbitmq-server ]]; then log "rabbitmq-server already installed"; return; fi
  apt-get update
  # /usr/sbin/policy-rc.d (exit 101) keeps the system service from starting during install
  DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server
}

write_config() {
  mkdir -p "$DIR/home" "$DIR/log"
  rm -rf "$DIR/mnesia"
  : >"$DIR/rabbitmq-env.conf"
  cat >"$DIR/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:5672
stomp.listeners.tcp.1 = 127.0.0.1:61613
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $WS_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
distribution.listener.interface = 127.0.0.1
loopback_users = none
default_vhost = /
default_user = $ADMIN_USER
default_pass = $ADMIN_PASSWORD
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.write = .*
default_permissions.read = .*
log.console = false
log.file.level = info
EOF
  chmod 600 "$DIR/rabbitmq.conf"
}

cmd_start() {
  [[ -x $RMQ_BIN/rabbitmq-server ]] || { log "not installed; run: $0 install"; exit 1; }
  if alive "$DIR/server.pid"; then
    wait_until "$START_TIMEOUT" ports_open || { log "running but ports $WS_PORT/$MGMT_PORT not open"; exit 1; }
    log "already running"; return
  fi
  if port_open $WS_PORT || port_open $MGMT_PORT || port_open 5672; then
    log "ports $WS_PORT/$MGMT_PORT/5672 are taken by another process"; exit 1
  fi
  local t0=$SECONDS
  write_config
  "$RMQ_BIN/rabbitmq-plugins" enable --offline rabbitmq_web_stomp rabbitmq_management >"$DIR/log/plugins.log" 2>&1
  # our own epmd, in the foreground, so stop can end it by PID (unless one already serves 4369)
  rm -f "$DIR/epmd.pid"
  if ! port_open 4369; then
    local epmd
    epmd=$(ls /usr/lib/erlang/erts-*/bin/epmd | head -n1)
    setsid "$epmd" -address 127.0.0.1 </dev/null >"$DIR/log/epmd.log" 2>&1 &
    echo $! >"$DIR/epmd.pid"
    wait_until 10 port_open 4369 || { log "epmd did not start"; exit 1; }
  fi
  setsid "$RMQ_BIN/rabbitmq-server" </dev/null >"$DIR/log/stdout.log" 2>&1 &
  echo $! >"$DIR/server.pid"
  if ! wait_until "$START_TIMEOUT" ports_open; then
    log "not listening on $WS_PORT/$MGMT_PORT after ${START_TIMEOUT}s; see $DIR/log"
    cmd_stop; exit 1
  fi
  log "started in $((SECONDS - t0))s: ws://127.0.0.1:$WS_PORT/ws, http://127.0.0.1:$MGMT_PORT (admin $ADMIN_USER)"
}

cmd_stop() {
  local t0=$SECONDS
  if alive "$DIR/rabbit.pid"; then kill -TERM "$(cat "$DIR/rabbit.pid")"; fi   # beam: graceful init:stop
  if ! wait_until 30 node_gone; then
    for f in rabbit.pid server.pid; do alive "$DIR/$f" && kill -KILL "$(cat "$DIR/$f")"; done
  fi
  if alive "$DIR/epmd.pid"; then
    kill -TERM "$(cat "$DIR/epmd.pid")"
    wait_until 10 epmd_gone || true
  fi
  rm -f "$DIR/server.pid" "$DIR/rabbit.pid" "$DIR/epmd.pid"
  wait_until 10 ports_closed || log "warning: a RabbitMQ port is still open"
  log "stopped in $((SECONDS - t0))s"
}

cmd_status() {
  if alive "$DIR/server.pid" && ports_open; then
    echo "running (pid $(cat "$DIR/rabbit.pid" 2>/dev/null || echo ?)): ws://127.0.0.1:$WS_PORT/ws http://127.0.0.1:$MGMT_PORT"
  elif alive "$DIR/server.pid"; then
    echo "starting (pid $(cat "$DIR/server.pid"))"
  else
    echo "stopped"; return 3
  fi
}

case ${1:-} in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
