#!/bin/bash
# The image's build steps without Docker: copy the tree (the files git knows, as the
# build context has them) into a clean folder, run tools/build-install.sh there - the
# Dockerfile's build stage - and check what it installed:
#   - the installed prxd --check-config accepts every example configuration
#     (config/*.cfg, docker/k8s/*.cfg) and the installed /etc/prx/prx.cfg;
#   - the entrypoint runs prxd on $PRX_CONFIG, and other commands as given;
#   - the systemd unit passes `systemd-analyze verify` (when systemd-analyze is here);
#   - docker/runtime-packages holds every shared library the installed prxd and prxctl
#     link and the DPDK plugins EAL needs (Depends closure, from apt's cache).
#   bash install.sh PRXD PCAPTOOL   (the build's own prxd is not used)
source "$(dirname "$0")/lib.sh" "$@"

src=$TMP/src
dest=$TMP/dest
mkdir -p "$src"
if git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRCDIR" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src")
else
	cp -a "$SRCDIR"/. "$src"
	rm -rf "$src"/build*
fi
echo "$TEST_NAME: building in a clean copy ($(find "$src" -type f | wc -l) files)"
"$src/tools/build-install.sh" "$dest" "$TMP/build" >"$TMP/build.log" 2>&1 ||
	fail "tools/build-install.sh failed: $(tail -n 30 "$TMP/build.log")"

bin=$dest/usr/local/bin
for f in "$bin/prxd" "$bin/prxctl" "$bin/prx-entrypoint" "$dest/etc/prx/prx.cfg" \
	"$dest/usr/local/lib/systemd/system/prxd.service" \
	"$dest/usr/local/share/doc/prx/examples/README.md"; do
	[ -e "$f" ] || fail "not installed: ${f#"$dest"}"
done
expect_eq "installed prxd --version" "$("$bin/prxd" --version)" "prxd $(sed -n "s/^  version: '\(.*\)',/\1/p" "$SRCDIR/meson.build")"

# every example configuration, with the installed prxd
PRXD=$bin/prxd
shopt -s nullglob
configs=("$SRCDIR"/config/*.cfg "$SRCDIR"/docker/k8s/*.cfg "$dest/etc/prx/prx.cfg")
shopt -u nullglob
for f in "${configs[@]}"; do
	prxd_run "check-$(basename "$f" .cfg)" 10 --check-config -c "$f"
	expect_eq "installed prxd --check-config -c $f: exit status" "$PRXD_RC" 0
	expect_match "$f: verdict" "$PRXD_OUT" "^$f: configuration OK$"
	echo "$TEST_NAME: $f: configuration OK"
done

# the entrypoint: prxd on $PRX_CONFIG; any other command as given
out=$(PATH=$bin:$PATH PRX_CONFIG=$dest/etc/prx/prx.cfg "$bin/prx-entrypoint" --check-config) ||
	fail "prx-entrypoint --check-config: $out"
expect_eq "prx-entrypoint --check-config" "$out" "$dest/etc/prx/prx.cfg: configuration OK"
out=$(PATH=$bin:$PATH "$bin/prx-entrypoint" prxctl --version) || fail "prx-entrypoint prxctl"
[[ "$out" == prxctl\ * ]] || fail "prx-entrypoint prxctl --version: \"$out\""
rc=0
PATH=$bin:$PATH PRX_CTL_SOCKET=$TMP/none.ctl "$bin/prx-entrypoint" health 2>/dev/null || rc=$?
[ "$rc" != 0 ] || fail "prx-entrypoint health succeeded without a prxd"

# the systemd unit, with its binaries pointed into DESTDIR
unit=$dest/usr/local/lib/systemd/system/prxd.service
expect_match "unit type" "$unit" '^Type=notify$'
expect_match "unit check before start" "$unit" '^ExecStartPre=/usr/local/bin/prxd --check-config'
expect_match "unit reload" "$unit" '^ExecReload=/bin/kill -HUP \$MAINPID$'
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$TMP/unit"
	sed "s|/usr/local/bin/|$bin/|g" "$unit" >"$TMP/unit/prxd.service"
	systemd-analyze verify --man=no "$TMP/unit/prxd.service" >"$TMP/verify.log" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$TMP/verify.log")"
	[ ! -s "$TMP/verify.log" ] || fail "systemd-analyze verify: $(cat "$TMP/verify.log")"
	echo "$TEST_NAME: systemd-analyze verify: clean"
else
	echo "$TEST_NAME: no systemd-analyze: unit not verified"
fi

# The runtime image's packages: the Depends closure of docker/runtime-packages must hold
# the package of every library the installed binaries link, and the plugins EAL loads.
mapfile -t pkgs < <(grep -v '^#' "$SRCDIR/docker/runtime-packages" | grep .)
if ! apt-cache show "${pkgs[0]}" >/dev/null 2>&1; then
	echo "$TEST_NAME: apt has no package lists here: runtime packages not checked"
	pass
	exit 0
fi
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
	--no-replaces --no-enhances "${pkgs[@]}" 2>/dev/null |
	sed -n 's/^\([a-z0-9][^ :]*\).*/\1/p; s/^ *Depends: \([^ <]*\).*/\1/p' | sort -u >"$TMP/closure"
for p in "${pkgs[@]}"; do
	grep -qx "$p" "$TMP/closure" || fail "docker/runtime-packages: $p is not a Debian package here"
done
# owner package of a library path (Debian registers /usr/lib; ldd may print /lib)
owner() {
	dpkg -S "$1" 2>/dev/null || dpkg -S "${1#/usr}" 2>/dev/null
}
pmds=$(dirname "$(find /usr/lib -path '*/pmds-*/librte_mempool_ring.so.*' -print -quit)")
libs=$(ldd "$bin/prxd" "$bin/prxctl" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
libs+=$'\n'"$pmds/librte_mempool_ring.so.23"$'\n'"$pmds/librte_bus_vdev.so.23"
libs+=$'\n'"$pmds/librte_bus_pci.so.23"$'\n'"$pmds/librte_net_null.so.23"
for lib in $libs; do
	real=$(readlink -f "$lib")
	pkg=$(owner "$real" || owner "$lib") || fail "no package owns $lib"
	pkg=${pkg%%:*}
	grep -qx "$pkg" "$TMP/closure" || fail "$lib ($pkg) is not in docker/runtime-packages' closure"
done
echo "$TEST_NAME: docker/runtime-packages ($(grep -c . "$TMP/closure") packages with their dependencies) holds all $(echo "$libs" | wc -l) libraries"
pass
