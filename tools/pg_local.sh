#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS server for trying team plans and for the tests:
# a cluster in a folder of its own, listening only on a unix socket in that folder.
#
#   tools/pg_local.sh start [DIR] [PORT]   # prints the URI base to use
#   tools/pg_local.sh stop  [DIR]
#
# DIR defaults to /tmp/renewal-planner-pg, PORT to 54329. Needs Debian's
# postgresql-15 and postgresql-15-postgis-3 (apt install postgresql-15 postgresql-15-postgis-3).
# As root (CI) the server runs as the postgres user, since initdb refuses root.
set -euo pipefail
cmd="${1:-}"
dir="${2:-/tmp/renewal-planner-pg}"
port="${3:-54329}"
bin=""
for v in 17 16 15 14 13; do
  if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then bin="/usr/lib/postgresql/$v/bin"; break; fi
done
if [ -z "$bin" ]; then
  echo "PostgreSQL server not installed: apt install postgresql-15 postgresql-15-postgis-3" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    mkdir -p "$dir/sock"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; chmod 755 "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log"
      # Every local role is trusted, but for one that must give its password: the tests'
      # wrong-password and ~/.pgpass checks log in as rp_password_test.
      hba="$dir/data/pg_hba.conf"
      { echo "local all rp_password_test scram-sha-256"; cat "$hba"; } > "$hba.new"
      mv "$hba.new" "$hba"
      if [ "$(id -u)" = 0 ]; then chown postgres "$hba"; fi
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -o "-k $dir/sock -p $port -c listen_addresses=" -l "$dir/log" -w start > /dev/null
    psql="psql -X -q -v ON_ERROR_STOP=1 -h $dir/sock -p $port -U postgres"
    if ! $psql -d postgres -tAc "select 1 from pg_database where datname = 'rp'" | grep -q 1; then
      $psql -d postgres -c "create database rp"
    fi
    $psql -d rp -c "create extension if not exists postgis"
    echo "postgresql://postgres@/rp?host=$dir/sock&port=$port"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null
    fi
    ;;
  *)
    echo "usage: tools/pg_local.sh start|stop [DIR] [PORT]" >&2
    exit 2
    ;;
esac
