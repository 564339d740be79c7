#!/usr/bin/env bash
# scripts/images.sh smoke: applies every service's migrations with the MySQL image's own client.
# MYSQL_PWD and MYSQL_TCP_PORT come from the environment (the mysql client reads both).
set -euo pipefail
m() { mysql --protocol=tcp -h127.0.0.1 -uroot "$@"; }
m -N -e "SELECT CONCAT('server: MySQL ', VERSION(), ', ', @@character_set_server, '/', @@collation_server, ', sql_mode ', @@sql_mode)"
for service in order payment logger; do
  m -e "CREATE DATABASE IF NOT EXISTS smoke_${service}"
  for f in "/work/migrations/${service}-service"/*.sql; do
    m "smoke_${service}" <"$f"
    echo "applied ${service}-service/${f##*/}"
  done
done
