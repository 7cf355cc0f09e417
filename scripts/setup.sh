#!/usr/bin/env bash
# Installs the Debian packages the project needs, when missing.
set -euo pipefail
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v redis-server >/dev/null || need+=(redis-server)
# The browser tests (e2e TestBrowser*) drive Debian's headless Chromium.
command -v chromium >/dev/null || need+=(chromium)
# The pages' script tests (web TestStaticScripts) run under node.
command -v node >/dev/null || need+=(nodejs)
# The deployment test (e2e TestComposeDeployment) runs Debian's client.
command -v docker-compose >/dev/null || need+=(docker-compose)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
	echo "missing packages: ${need[*]}; install them with: sudo apt-get install -y ${need[*]}" >&2
	exit 1
fi
echo "installing ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
