# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced inside a real Linux guest (tests/lab/guest) that 'vmsync record'
# on the lab host records: its agent, and the wait for its session.

# agent_start NAME MODE: load vsock (and, in exact mode, the TSC clock plugin
# the way the lab's CPU needs it), start 'vmsync agent --once' (the build
# $AGENT_BIN, ASan's by default, with the array AGENT_ARGS, if set), say so
# in $LAB_OUT/agent-up, and return once the host started session
# vmsync-NAME. Sets AGENT (its pid).
agent_start() {
	local name=$1 mode=$2 i
	modprobe vmw_vsock_virtio_transport
	if [ "$mode" = tsc ]; then
		# The lab's emulated CPU declares no invariant TSC (doc/clocks.md).
		modprobe lttng-clock-tsc 2>/dev/null || modprobe lttng-clock-tsc assume_invariant=1
	fi
	"${AGENT_BIN:-$VMSYNC_REPO/build/asan/vmsync}" agent --once ${AGENT_ARGS[@]+"${AGENT_ARGS[@]}"} \
		>"$LAB_OUT/agent.log" 2>&1 &
	AGENT=$!
	echo up >"$LAB_OUT/agent-up"
	for i in $(seq 1 1200); do
		lttng list "vmsync-$name" 2>/dev/null | grep -q '\[active\]' && return 0
		kill -0 "$AGENT" 2>/dev/null || { echo "the agent ended before recording"; exit 1; }
		sleep 0.5
	done
	echo "no active session vmsync-$name after 600 s"
	exit 1
}

# agent_end stop|shutdown: until the host ends the recording (the agent,
# --once, then exits), or shut down as systemd would (SIGTERM to the
# agent) while the host still records. Returns the agent's status.
agent_end() {
	local status=0
	[ "$1" = shutdown ] && kill -TERM "$AGENT"
	wait "$AGENT" || status=$?
	cat /sys/class/dmi/id/product_uuid >"$LAB_OUT/product_uuid"
	return "$status"
}
