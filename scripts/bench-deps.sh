#!/usr/bin/env bash
# make bench only: installs, when missing, what the benchmark's host
# baselines run on. redis-server and postgresql-15 (its server programs,
# for a throwaway cluster per run) back the fixtures; Debian's python3 and
# node-* packages (the ones the language images offer) run the Python and
# JavaScript references directly on the host. A package that cannot be
# installed is reported and its baselines are skipped by gradebench, which
# names it again; the bench itself goes on.
set -uo pipefail
want=(redis-server python3 python3-flask python3-fastapi python3-uvicorn python3-redis python3-psycopg
	nodejs node-express node-redis node-pg postgresql-15)
need=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || need+=("$p")
done
# A nodejs from outside Debian (nodesource) is a nodejs all the same.
if command -v node >/dev/null; then
	for i in "${!need[@]}"; do [ "${need[$i]}" = nodejs ] && unset 'need[i]'; done
	need=("${need[@]}")
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "bench: the host baselines need ${need[*]}; install them with: sudo apt-get install -y ${need[*]}" >&2
	exit 0
fi
echo "bench: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 && exit 0
# One of them cannot be installed here (a node-* package whose dependencies
# want Debian's own nodejs, say): install the others one by one.
failed=()
for p in "${need[@]}"; do
	apt-get install -y -qq "$p" >/dev/null 2>&1 || failed+=("$p")
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "bench: could not install ${failed[*]} (see: apt-get install ${failed[*]}); the baselines that need them are skipped" >&2
fi
exit 0
