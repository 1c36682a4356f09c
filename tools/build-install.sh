#!/bin/bash
# Build prx for installation and install it under DESTDIR: prxd, prxctl, prx-entrypoint,
# the systemd unit, the example configurations, and /etc/prx/prx.cfg (config/default.cfg)
# unless one is there.  The image's build stage (docker/Dockerfile) runs exactly this, and
# so does the `install` test suite (tests/integration/install.sh), so CI proves the
# image's build steps where no Docker engine is available.
#   tools/build-install.sh DESTDIR [BUILDDIR]
# BUILDDIR defaults to a fresh temporary folder (removed afterwards); PREFIX (default
# /usr/local) and MESON_ARGS (extra `meson setup` arguments) can be set.
set -euo pipefail

if [ $# -lt 1 ] || [ -z "$1" ]; then
	echo "usage: tools/build-install.sh DESTDIR [BUILDDIR]" >&2
	exit 2
fi
src=$(cd "$(dirname "$0")/.." && pwd)
dest=$(mkdir -p "$1" && cd "$1" && pwd)
build=${2:-}
tmp=
if [ -z "$build" ]; then
	tmp=$(mktemp -d /tmp/prx-build.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	build=$tmp/build
fi
prefix=${PREFIX:-/usr/local}

again=()
[ ! -f "$build/build.ninja" ] || again=(--reconfigure)
# shellcheck disable=SC2086 # MESON_ARGS is a list of words
meson setup "${again[@]}" "$build" "$src" --buildtype=release -Dtests=false \
	--prefix="$prefix" --sysconfdir=/etc ${MESON_ARGS:-}
ninja -C "$build"
DESTDIR=$dest meson install -C "$build" --no-rebuild --quiet
if [ ! -e "$dest/etc/prx/prx.cfg" ]; then
	install -D -m 0644 "$src/config/default.cfg" "$dest/etc/prx/prx.cfg"
fi
echo "build-install: installed under $dest:"
(cd "$dest" && find . -type f -o -type l | sort | sed 's|^\./|  /|')
