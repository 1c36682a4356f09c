#!/bin/bash
# The deployment files beside the image (docs/deploy.md), without a cluster or Docker:
#   - docker/entrypoint.sh runs prxd on $PRX_CONFIG, other commands as given, and its
#     health check fails without a prxd;
#   - docker/k8s/: the YAML parses (with python3-yaml, when installed), the ConfigMap is
#     made from prx.cfg and the DaemonSet mounts it at /etc/prx, asks for the SR-IOV
#     resource, hugepages and whole CPUs (Guaranteed), drops every capability but the
#     documented ones; prx.cfg passes --check-config with and without the device plugin's
#     PCIDEVICE_* variable;
#   - tools/hugepages.sh: status reads, --dry-run prints the writes and mounts it would do.
#   bash deploy_files.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

# entrypoint, with this build's prxd first in PATH
mkdir -p "$TMP/bin"
ln -s "$PRXD" "$TMP/bin/prxd"
ep=$SRCDIR/docker/entrypoint.sh
out=$(PATH=$TMP/bin:$PATH PRX_CONFIG=$SRCDIR/config/default.cfg "$ep" --check-config) ||
	fail "entrypoint --check-config: $out"
expect_eq "entrypoint --check-config" "$out" "$SRCDIR/config/default.cfg: configuration OK"
expect_eq "entrypoint COMMAND" "$(PATH=$TMP/bin:$PATH "$ep" echo hello)" hello
rc=0
PRX_CTL_SOCKET=$TMP/none.ctl "$ep" health 2>/dev/null || rc=$?
[ "$rc" != 0 ] || fail "entrypoint health succeeded without a prxd"

# the Kubernetes example
k8s=$SRCDIR/docker/k8s
for v in "" "0000:3b:02.1,0000:3b:02.3"; do
	out=$(PCIDEVICE_INTEL_COM_PRX_SRIOV=$v "$PRXD" --check-config -c "$k8s/prx.cfg" 2>&1) ||
		fail "docker/k8s/prx.cfg with PCIDEVICE_INTEL_COM_PRX_SRIOV=\"$v\": $out"
done
if python3 -c 'import yaml' 2>/dev/null; then
	python3 - "$k8s" <<'PY' || fail "docker/k8s: see above"
import os, sys, yaml
d = sys.argv[1]
docs = {}
for f in sorted(os.listdir(d)):
    if f.endswith(".yaml"):
        for doc in yaml.safe_load_all(open(os.path.join(d, f))):
            docs[doc["kind"]] = doc
k = docs["Kustomization"]
assert k["configMapGenerator"][0]["files"] == ["prx.cfg"], "ConfigMap not from prx.cfg"
for r in k["resources"]:
    assert os.path.exists(os.path.join(d, r)), r
ds = docs["DaemonSet"]["spec"]["template"]["spec"]
c = ds["containers"][0]
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
vols = {v["name"]: v for v in ds["volumes"]}
assert mounts["config"] == "/etc/prx" and vols["config"]["configMap"]["name"] == "prx-config"
assert vols["hugepages"]["emptyDir"]["medium"] == "HugePages"
req, lim = c["resources"]["requests"], c["resources"]["limits"]
assert req == lim, "requests != limits: not Guaranteed, no exclusive CPUs"
assert str(req["cpu"]).isdigit(), "fractional CPUs: the static CPU manager pins none"
assert req["intel.com/prx_sriov"] == "2" and "hugepages-2Mi" in req
caps = c["securityContext"]["capabilities"]
assert caps["drop"] == ["ALL"] and set(caps["add"]) == {"IPC_LOCK", "NET_RAW", "NET_ADMIN"}
nad = docs["NetworkAttachmentDefinition"]
assert nad["metadata"]["annotations"]["k8s.v1.cni.cncf.io/resourceName"] == "intel.com/prx_sriov"
print("deploy_files: docker/k8s: %d documents consistent" % len(docs))
PY
else
	echo "$TEST_NAME: no python3-yaml: docker/k8s YAML not parsed"
fi

# hugepages tool: read-only status, and a dry run changes nothing
hp=$SRCDIR/tools/hugepages.sh
"$hp" status >"$TMP/status" || fail "hugepages.sh status failed"
expect_match "status" "$TMP/status" '^(hugepages-2048kB|mounted: )'
"$hp" reserve 64 --node 0 --mount "$TMP/huge" --dry-run >"$TMP/dry" || fail "hugepages.sh --dry-run failed"
expect_match "dry run: reserve" "$TMP/dry" '^\+ echo 64 > /sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages$'
expect_match "dry run: mount" "$TMP/dry" "^\+ mount -t hugetlbfs -o pagesize=2M nodev $TMP/huge\$"
[ ! -e "$TMP/huge" ] || fail "hugepages.sh --dry-run made $TMP/huge"
rc=0
"$hp" reserve 64 --size 3M --dry-run 2>/dev/null || rc=$?
expect_eq "hugepages.sh --size 3M: exit status" "$rc" 2
pass
