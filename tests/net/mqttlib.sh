# shellcheck shell=bash
# MOSQUITTO and PAHO are set here for the test scripts to read.
# shellcheck disable=SC2034
# mqttlib.sh - a private MQTT broker for the bridge tests (source after
# lib.sh). Debian's mosquitto runs inside one of the test's namespaces,
# bound to the lab or loopback addresses given, with a generated config in
# $T; it is stopped by PID by lib.sh's EXIT trap (it is started with bg).
#
#	need_mosquitto
#	broker_start mq r "listener 1883 10.79.1.1" "allow_anonymous true"
#	...
#	broker_stop mq

# Skip unless the broker and its clients are installed.
need_mosquitto() {
	MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
	[ -x "$MOSQUITTO" ] || skip "needs mosquitto (Debian package mosquitto)"
	command -v mosquitto_sub >/dev/null 2>&1 ||
		skip "needs mosquitto_sub (Debian package mosquitto-clients)"
}

# A python3 that has paho-mqtt (Debian python3-paho-mqtt installs it for
# /usr/bin/python3, which may not be the first python3 on PATH).
need_paho() {
	local py
	for py in python3 /usr/bin/python3; do
		if "$py" -c 'import paho.mqtt.client' 2>/dev/null; then
			PAHO=$py
			return 0
		fi
	done
	skip "needs paho-mqtt (Debian package python3-paho-mqtt)"
}

# broker_start NAME NS CONFIG-LINE...: write $T/NAME.conf and run the
# broker in NS as background process NAME; wait until it says it runs.
# "user root" keeps it from dropping privileges it may not have (a user
# namespace) and from losing access to $T.
broker_start() {
	local name=$1 ns=$2 i
	shift 2
	if [ ! -f "$T/$name.conf" ]; then
		{
			echo "user root"
			echo "log_dest stderr"
			echo "log_type error"
			echo "log_type warning"
			echo "log_type notice"
			echo "log_type information"
			echo "connection_messages true"
			echo "persistence true"
			echo "persistence_location $T/$name.db/"
			printf '%s\n' "$@"
		} >"$T/$name.conf"
		mkdir -p "$T/$name.db"
	fi
	bg "$name" "$ns" "$MOSQUITTO" -c "$T/$name.conf"
	for ((i = 0; i < LONG * 20; i++)); do
		grep -q ' running$' "$T/$name.err" 2>/dev/null && return 0
		proc_alive "${PID[$name]}" || break
		sleep 0.05
	done
	not_ok "broker $name starts"
	show "$name stderr" "$T/$name.err"
	return 1
}

# broker_stop NAME: SIGTERM (it saves its persistent state), then wait.
broker_stop() {
	kill -TERM "${PID[$1]}" 2>/dev/null
	wait_exit "$1" "$LONG"
	cat "$T/$1.err" >>"$T/$1.log"
}

# wait_ready NAME: wait for the bridge NAME to say "bridge ready"; a
# bridge that exits or stays silent is a failed check.
wait_ready() {
	local name=$1 pid=${PID[$1]} i n=$((LONG * 20))
	for ((i = 0; i < n; i++)); do
		grep -qF -- "bridge ready" "$T/$name.err" 2>/dev/null && return 0
		proc_alive "$pid" || break
		sleep 0.05
	done
	grep -qF -- "bridge ready" "$T/$name.err" 2>/dev/null && return 0
	not_ok "$name says \"bridge ready\""
	show "$name stderr" "$T/$name.err"
	return 1
}

# stop_bridge NAME: SIGTERM, then wait for the summary and the exit code.
stop_bridge() {
	kill -TERM "${PID[$1]}" 2>/dev/null
	wait_exit "$1" "$LONG"
}
