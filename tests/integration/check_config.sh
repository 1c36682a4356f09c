#!/bin/bash
# prxd --check-config: 0 on every shipped config/*.cfg, 1 with one
# "FILE:LINE: setting: reason" line on stderr for a bad file, 2 for a bad command line.
# Nothing here starts DPDK.
#   bash check_config.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

# check NAME ARGS...: prxd ARGS under a 10 s limit; sets $PRXD_RC.
check() {
	local name=$1
	shift
	prxd_run "$name" 10 "$@"
}

# Shipped examples (written by a colleague: the loop is skipped while there are none).
shopt -s nullglob
shipped=("$SRCDIR"/config/*.cfg)
shopt -u nullglob
if [ ${#shipped[@]} -eq 0 ]; then
	echo "$TEST_NAME: no config/*.cfg yet: shipped examples not checked"
fi
for f in "${shipped[@]}"; do
	check "shipped-$(basename "$f" .cfg)" --check-config -c "$f"
	expect_eq "prxd --check-config -c $f: exit status" "$PRXD_RC" 0
	expect_match "$f: verdict" "$PRXD_OUT" "^$f: configuration OK$"
	echo "$TEST_NAME: $f: configuration OK"
done

# bad_config NAME LINE SETTING TEXT: write TEXT to $TMP/NAME.cfg, expect exit 1 and the
# line "$TMP/NAME.cfg:LINE: SETTING: <reason>" on stderr (SETTING "" for errors that
# belong to no setting: "FILE:LINE: <reason>").
bad_config() {
	local name=$1 line=$2 setting=$3 file=$TMP/$1.cfg want
	printf '%s\n' "$4" >"$file"
	check "$name" --check-config -c "$file"
	expect_eq "$name: exit status" "$PRXD_RC" 1
	want="$file:$line: "
	[ -z "$setting" ] || want+="$setting: "
	while IFS= read -r l; do
		# the whole line: FILE:LINE: [SETTING: ]reason, the reason not empty
		if [[ "$l" == "$want"[!\ ]* ]]; then
			expect_no_match "$name: verdict" "$PRXD_OUT" 'configuration OK'
			echo "$TEST_NAME: $name: $l"
			return
		fi
	done <"$PRXD_ERR"
	fail "$name: no line \"$want<reason>\" on stderr"
}

bad_config rx-queues-0 5 'ports.[0].rx_queues' 'instance = "bad";
reactors = { cores = [1]; };
ports = (
	{ name = "a"; dpdk = "net_null0";
	  rx_queues = 0; }
);'

bad_config unknown-setting 3 'no_such_setting' 'instance = "bad";
reactors = { cores = [1]; };
no_such_setting = 3;
ports = ( { name = "a"; dpdk = "net_null0"; } );'

bad_config syntax-error 3 '' 'instance = "bad";
reactors = { cores = [1]; };
ports = ( { name = "a"; dpdk = = "net_null0"; } );'

check missing-file --check-config -c "$TMP/no-such.cfg"
expect_eq "missing file: exit status" "$PRXD_RC" 1

# Bad command lines: 2, whatever the configuration.
ok=${shipped[0]:-$TMP/rx-queues-0.cfg}
check bad-interval -c "$ok" --stats-interval x
expect_eq "--stats-interval x: exit status" "$PRXD_RC" 2
expect_match "--stats-interval x: message" "$PRXD_ERR" 'stats-interval'
check bad-option -c "$ok" --no-such-option
expect_eq "--no-such-option: exit status" "$PRXD_RC" 2
check stray-argument -c "$ok" stray
expect_eq "stray argument: exit status" "$PRXD_RC" 2
pass
