#!/usr/bin/env bash
# What the tests need, in one place (used by `make test` and .ci/run):
# PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on
# 127.0.0.1:6379, started when down; the programs of the tool-dependent
# tests, installed with apt-get when missing. When it cannot do something
# (not root, no apt-get, no PostgreSQL installed) it stops at once with the
# one command that would.
set -euo pipefail

# program -> Debian package. chromium: page tests (chromedp); sipp: SIP
# interop; xmllint: MSPDI schema; espeak-ng: spoken prompts; promtool:
# Prometheus configuration and rules.
TOOLS=(
  /usr/bin/chromium:chromium
  sipp:sip-tester
  xmllint:libxml2-utils
  espeak-ng:espeak-ng
  promtool:prometheus
)

die() { echo "deps: $*" >&2; exit 1; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 30); do listening "$1" && return 0; sleep 1; done; return 1; }
as_root() { [ "$(id -u)" = 0 ] || die "$1 needs root; run: sudo $0"; }

missing=()
for t in "${TOOLS[@]}"; do
  command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get install -y ${missing[*]}"
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get: install the Debian packages ${missing[*]} (or their equivalents)"
  as_root "installing ${missing[*]} ($cmd)"
  echo "deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! listening 5432; then
  command -v pg_ctlcluster >/dev/null 2>&1 || die "no PostgreSQL on 127.0.0.1:5432 and none installed; run: sudo apt-get install -y postgresql"
  as_root "starting PostgreSQL (pg_ctlcluster)"
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [ -n "$version" ] || die "PostgreSQL is installed but has no cluster; run: sudo pg_createcluster --start $(ls /usr/lib/postgresql | sort -V | tail -1) main"
  echo "deps: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_port 5432 || die "PostgreSQL $version did not start listening on 127.0.0.1:5432"
fi

if ! listening 6379; then
  command -v redis-server >/dev/null 2>&1 || die "no Redis on 127.0.0.1:6379 and none installed; run: sudo apt-get install -y redis-server"
  echo "deps: starting Redis"
  dir=${TMPDIR:-/tmp}/hotline-redis
  mkdir -p "$dir"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$dir" --logfile "$dir/redis.log"
  wait_port 6379 || die "Redis did not start listening on 127.0.0.1:6379"
fi
