#!/usr/bin/env bash
# The portal's production topology on one machine, from the repository, without containers:
#
#   Varnish :8480 ──round robin, probing /health/──> gunicorn node 1 :8491, node 2 :8492
#   PostgreSQL primary :5441 ──streaming──> replica :5442 (own clusters, initdb/pg_basebackup)
#   Redis :6391 (cache, db 0)   SeaweedFS `weed mini` S3 :18333 (media bucket)   SMTP sink :8425
#
# deploy/cluster.sh up | down | status | env | start SERVICE | stop SERVICE | backup | restore
# (`make cluster`, `make cluster-down`, `make backup`, `make restore`). Everything it makes
# lives under .cluster/ (CLUSTER_DIR); every process it starts has a pid file there, and
# `down` stops exactly those. `up` is idempotent: what already runs is left running.
# Services: primary replica redis s3 smtp node1 node2 worker scheduler varnish.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${CLUSTER_DIR:-$ROOT/.cluster}"
RUN="$STATE/run"
LOG="$STATE/log"
# The newest PostgreSQL the machine has (Debian: /usr/lib/postgresql/<major>/bin).
PGBIN="${PGBIN:-/usr/lib/postgresql/$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)/bin}"
PYTHON="$ROOT/.venv/bin/python"
VENV_BIN="$ROOT/.venv/bin"

VARNISH_PORT="${VARNISH_PORT:-8480}"
VARNISH_ADMIN_PORT="${VARNISH_ADMIN_PORT:-8481}"
NODE1_PORT="${NODE1_PORT:-8491}"
NODE2_PORT="${NODE2_PORT:-8492}"
PRIMARY_PORT="${PRIMARY_PORT:-5441}"
REPLICA_PORT="${REPLICA_PORT:-5442}"
REDIS_PORT="${REDIS_PORT:-6391}"
S3_PORT="${S3_PORT:-18333}"
SMTP_PORT_SINK="${SMTP_PORT_SINK:-8425}"
DATABASE="dialogue_portal"
BUCKET="${BUCKET:-dialogue-media}"
NODE_WORKERS="${NODE_WORKERS:-2}"

say() { printf '%s\n' "cluster: $*" >&2; }
die() { say "$*"; exit 1; }

# PostgreSQL refuses to run as root: as root its binaries run as the `postgres` user, which
# then owns the data directories; as anyone else, as that user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_owned_dir() {
  mkdir -p "$1"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$1"; fi
  chmod 700 "$1"
}

pid_alive() {  # pid_alive FILE: the process named in the pid file runs
  [ -s "$1" ] && kill -0 "$(head -1 "$1")" 2>/dev/null
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  local waited=0
  until "$@" >/dev/null 2>&1; do
    sleep 0.2
    waited=$((waited + 1))
    [ "$waited" -lt $((limit * 5)) ] || die "$what did not come up in ${limit}s (logs in $LOG)"
  done
}

secret() {  # secret NAME: a random value kept under .cluster/, made once
  local file="$STATE/$1"
  if [ ! -s "$file" ]; then
    "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$file"
    chmod 600 "$file"
  fi
  cat "$file"
}

write_env() {
  mkdir -p "$STATE" "$RUN" "$LOG"
  local access_key secret_key
  access_key="portal-$(secret s3_access_key | cut -c1-12)"
  secret_key="$(secret s3_secret_key)"
  cat >"$STATE/env" <<ENV
DEBUG=0
SECRET_KEY=$(secret secret_key)
ALLOWED_HOSTS=127.0.0.1,localhost
SITE_URL=http://127.0.0.1:$VARNISH_PORT
CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$VARNISH_PORT,http://localhost:$VARNISH_PORT
SECURE_SSL_REDIRECT=0
SECURE_HSTS_SECONDS=0
SECURE_HSTS_INCLUDE_SUBDOMAINS=0
SECURE_HSTS_PRELOAD=0
SESSION_COOKIE_SECURE=0
CSRF_COOKIE_SECURE=0
TRUSTED_PROXY_COUNT=1
DATABASE_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/$DATABASE
DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:$REPLICA_PORT/$DATABASE
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
CACHE_KEY_PREFIX=cluster
AWS_STORAGE_BUCKET_NAME=$BUCKET
AWS_S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
AWS_ACCESS_KEY_ID=$access_key
AWS_SECRET_ACCESS_KEY=$secret_key
AWS_DEFAULT_REGION=us-east-1
STATIC_ROOT=$STATE/static
SMTP_HOST=127.0.0.1
SMTP_PORT=$SMTP_PORT_SINK
SMTP_STARTTLS=0
PURGE_URLS=http://127.0.0.1:$VARNISH_PORT/
BROWSER_CACHE_SECONDS=10
CLUSTER_URL=http://127.0.0.1:$VARNISH_PORT
CLUSTER_NODE_URLS=http://127.0.0.1:$NODE1_PORT,http://127.0.0.1:$NODE2_PORT
CLUSTER_VARNISH_ADMIN=127.0.0.1:$VARNISH_ADMIN_PORT
CLUSTER_DIR=$STATE
ENV
  cat >"$STATE/s3.json" <<JSON
{"identities": [{"name": "portal",
  "credentials": [{"accessKey": "$access_key", "secretKey": "$secret_key"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
  chmod 600 "$STATE/env" "$STATE/s3.json"
}

load_env() {
  [ -f "$STATE/env" ] || write_env
  set -a
  # shellcheck disable=SC1091
  . "$STATE/env"
  set +a
}

manage() { (cd "$ROOT" && "$PYTHON" manage.py "$@"); }

# --- PostgreSQL ------------------------------------------------------------------------------

pg_ctl_of() {  # pg_ctl_of NAME PORT start|stop
  local dir="$STATE/pg/$1"
  case "$3" in
    start)
      as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $2 -k $dir -c listen_addresses=127.0.0.1" start >/dev/null ;;
    stop)
      as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
  esac
}

# pg_stat_statements on both servers: `make bench-cluster` counts the queries each served.
with_statement_counts() {  # with_statement_counts DATA_DIR (before the server starts)
  grep -q "^shared_preload_libraries = 'pg_stat_statements'" "$1/postgresql.conf" ||
    echo "shared_preload_libraries = 'pg_stat_statements'" | as_pg tee -a "$1/postgresql.conf" >/dev/null
}

start_primary() {
  local dir="$STATE/pg/primary"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "initdb: the primary"
    pg_owned_dir "$STATE/pg"
    pg_owned_dir "$dir"
    as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$LOG/initdb.log"
    cat >>"$dir/data/postgresql.conf" <<CONF
wal_level = replica
max_wal_senders = 4
wal_keep_size = 256MB
CONF
  fi
  with_statement_counts "$dir/data"
  if as_pg "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then return; fi
  say "start: the primary on :$PRIMARY_PORT"
  pg_ctl_of primary "$PRIMARY_PORT" start
  if ! as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
    as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres "$DATABASE"
  fi
}

start_replica() {
  local dir="$STATE/pg/replica"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "pg_basebackup: the replica from the primary"
    pg_owned_dir "$dir"
    as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
      -D "$dir/data" -R -X stream -c fast
    echo "hot_standby = on" | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
  fi
  with_statement_counts "$dir/data"
  if as_pg "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then return; fi
  say "start: the replica on :$REPLICA_PORT"
  pg_ctl_of replica "$REPLICA_PORT" start
}

stop_pg() {  # stop_pg NAME: only a server whose pid file is in our data directory
  local dir="$STATE/pg/$1"
  if [ -f "$dir/data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    say "stop: $1"
    pg_ctl_of "$1" 0 stop
  fi
}

# --- Redis, S3, mail sink ------------------------------------------------------------------

start_redis() {
  pid_alive "$RUN/redis.pid" && return
  say "start: Redis on :$REDIS_PORT"
  mkdir -p "$STATE/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$RUN/redis.pid" \
    --dir "$STATE/redis" --save "" --appendonly no --logfile "$LOG/redis.log" \
    --maxmemory 256mb --maxmemory-policy volatile-lru
  wait_for 10 Redis redis-cli -p "$REDIS_PORT" ping
}

start_s3() {
  pid_alive "$RUN/s3.pid" && return
  say "start: SeaweedFS (S3) on :$S3_PORT"
  mkdir -p "$STATE/s3"
  # Each of weed mini's servers on a port of its own, away from its defaults; no admin UI,
  # WebDAV, Iceberg or Lance, and no telemetry.
  setsid "$VENV_BIN/weed" mini -dir="$STATE/s3" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -s3.port="$S3_PORT" -s3.config="$STATE/s3.json" -bucket="$BUCKET" \
    -master.port=19333 -volume.port=19340 -filer.port=18888 \
    -admin.ui=false -admin.port=23700 -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 \
    -master.telemetry=false -master.volumeSizeLimitMB=64 \
    >"$LOG/s3.log" 2>&1 </dev/null &
  echo $! >"$RUN/s3.pid"
  wait_for 60 "the S3 store" "$PYTHON" "$ROOT/deploy/s3check.py"
}

start_smtp() {
  pid_alive "$RUN/smtp.pid" && return
  say "start: SMTP sink on :$SMTP_PORT_SINK (mail is accepted and dropped)"
  setsid "$PYTHON" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT_SINK" -c aiosmtpd.handlers.Sink \
    >"$LOG/smtp.log" 2>&1 </dev/null &
  echo $! >"$RUN/smtp.pid"
}

# --- the app ---------------------------------------------------------------------------------

prepare_app() {
  # Every time (quick when nothing changed): the schema and static files of this checkout.
  manage migrate --noinput -v0
  manage collectstatic --noinput -v0
  # Once: the demo content (its files into the bucket) and the OAI records.
  if [ ! -f "$STATE/prepared" ]; then
    say "demo content and OAI records"
    manage load_demo >"$LOG/load_demo.log"
    manage oai_refresh -v0
    touch "$STATE/prepared"
  fi
}

start_node() {  # start_node N PORT
  pid_alive "$RUN/node$1.pid" && return
  say "start: gunicorn node $1 on :$2"
  (cd "$ROOT" && "$VENV_BIN/gunicorn" dialogue_portal.wsgi -w "$NODE_WORKERS" -b "127.0.0.1:$2" \
    --daemon --pid "$RUN/node$1.pid" --control-socket "$RUN/node$1.ctl" --capture-output \
    --access-logfile "$LOG/node$1.access.log" \
    --error-logfile "$LOG/node$1.log" --graceful-timeout 5 --timeout 60)
  wait_for 30 "node $1" curl -fsS "http://127.0.0.1:$2/healthz"
}

# The task worker (django-tasks-db's db_worker): one process for the whole cluster, beside the
# nodes, with their environment; it claims each task with SELECT ... FOR UPDATE SKIP LOCKED, so
# more workers could run and none would run a task twice.
start_worker() {
  if ! pid_alive "$RUN/worker.pid"; then
    say "start: the task worker"
    setsid "$PYTHON" "$ROOT/manage.py" db_worker --no-reload --interval 0.5 \
      >"$LOG/worker.log" 2>&1 </dev/null &
    echo $! >"$RUN/worker.pid"
  fi
  # The purges of the shared cache, on a queue of their own (never behind a newsletter or
  # an import), looked at ten times a second: a purge leaves soon after its commit.
  if ! pid_alive "$RUN/purger.pid"; then
    say "start: the purge worker"
    setsid "$PYTHON" "$ROOT/manage.py" db_worker --no-reload --interval 0.1 --queue-name purge \
      >"$LOG/purger.log" 2>&1 </dev/null &
    echo $! >"$RUN/purger.pid"
  fi
}

# The schedule (manage.py run_schedule): enqueues the periodic jobs for the worker, each
# once a period (a unique row per job and period), so a second one on another machine
# would enqueue nothing more.
start_scheduler() {
  pid_alive "$RUN/scheduler.pid" && return
  say "start: the schedule"
  setsid "$PYTHON" "$ROOT/manage.py" run_schedule \
    >"$LOG/scheduler.log" 2>&1 </dev/null &
  echo $! >"$RUN/scheduler.pid"
}

start_varnish() {
  pid_alive "$RUN/varnish.pid" && return
  say "start: Varnish on :$VARNISH_PORT"
  mkdir -p "$STATE/varnish"
  sed -e "s/@NODE1_PORT@/$NODE1_PORT/" -e "s/@NODE2_PORT@/$NODE2_PORT/" \
    "$ROOT/deploy/varnish/default.vcl.in" >"$STATE/varnish/default.vcl"
  [ -s "$STATE/varnish/secret" ] || secret varnish_secret >"$STATE/varnish/secret"
  chmod 600 "$STATE/varnish/secret"
  # -j none: no privilege separation jail, so it runs as whoever runs this script.
  varnishd -j none -n "$STATE/varnish/work" -a "127.0.0.1:$VARNISH_PORT" \
    -T "127.0.0.1:$VARNISH_ADMIN_PORT" -S "$STATE/varnish/secret" \
    -f "$STATE/varnish/default.vcl" -s malloc,128m -P "$RUN/varnish.pid" \
    -p vcc_allow_inline_c=off 2>"$LOG/varnish.log"
  wait_for 20 Varnish curl -fsS "http://127.0.0.1:$VARNISH_PORT/health/"
}

stop_pidfile() {  # stop_pidfile NAME: the process of .cluster/run/NAME.pid, and wait for it
  local file="$RUN/$1.pid"
  if pid_alive "$file"; then
    local pid
    pid="$(head -1 "$file")"
    say "stop: $1 (pid $pid)"
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$file"
}

# --- commands --------------------------------------------------------------------------------

up() {
  write_env
  load_env
  command -v varnishd >/dev/null || die "varnishd is missing: apt-get install varnish varnish-modules"
  [ -x "$PGBIN/initdb" ] || die "PostgreSQL binaries not found in $PGBIN (PGBIN=...)"
  [ -x "$VENV_BIN/weed" ] || die "weed is missing from .venv: make install"
  start_primary
  start_replica
  start_redis
  start_s3
  start_smtp
  prepare_app
  start_node 1 "$NODE1_PORT"
  start_node 2 "$NODE2_PORT"
  start_worker
  start_scheduler
  start_varnish
  status
}

down() {
  stop_pidfile varnish
  stop_pidfile scheduler
  stop_pidfile worker
  stop_pidfile purger
  stop_pidfile node1
  stop_pidfile node2
  stop_pidfile smtp
  stop_pidfile s3
  stop_pidfile redis
  stop_pg replica
  stop_pg primary
}

status() {
  load_env
  printf '\n  The portal through Varnish:  %s/   (admin: %s/admin/)\n' "$CLUSTER_URL" "$CLUSTER_URL"
  printf '  App nodes (gunicorn):        http://127.0.0.1:%s/  http://127.0.0.1:%s/\n' "$NODE1_PORT" "$NODE2_PORT"
  printf '  PostgreSQL primary/replica:  127.0.0.1:%s  127.0.0.1:%s  (database %s)\n' "$PRIMARY_PORT" "$REPLICA_PORT" "$DATABASE"
  printf '  Redis:                       127.0.0.1:%s\n' "$REDIS_PORT"
  printf '  S3 (SeaweedFS):              %s  bucket %s\n' "$AWS_S3_ENDPOINT_URL" "$BUCKET"
  printf '  Health:                      %s/health/\n' "$CLUSTER_URL"
  printf '  Environment of the nodes:    %s/env   Logs: %s/\n\n' "$STATE" "$LOG"
}

stop_service() {
  load_env
  case "$1" in
    primary|replica) stop_pg "$1" ;;
    redis|s3|smtp|node1|node2|varnish|scheduler) stop_pidfile "$1" ;;
    worker) stop_pidfile worker; stop_pidfile purger ;;
    *) die "unknown service: $1" ;;
  esac
}

start_service() {
  load_env
  case "$1" in
    primary) start_primary ;;
    replica) start_replica ;;
    redis) start_redis ;;
    s3) start_s3 ;;
    smtp) start_smtp ;;
    node1) start_node 1 "$NODE1_PORT" ;;
    node2) start_node 2 "$NODE2_PORT" ;;
    varnish) start_varnish ;;
    worker) start_worker ;;
    scheduler) start_scheduler ;;
    *) die "unknown service: $1" ;;
  esac
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) load_env; cat "$STATE/env" ;;
  stop) stop_service "${2:?which service}" ;;
  start) start_service "${2:?which service}" ;;
  backup) load_env; PGBIN="$PGBIN" exec "$PYTHON" "$ROOT/deploy/backup.py" backup "${@:2}" ;;
  restore) load_env; PGBIN="$PGBIN" exec "$PYTHON" "$ROOT/deploy/backup.py" restore "${@:2}" ;;
  *) die "usage: $0 up|down|status|env|start SERVICE|stop SERVICE|backup|restore" ;;
esac
