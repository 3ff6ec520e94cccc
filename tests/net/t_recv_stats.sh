#!/bin/bash
# mcast recv --stats: a table per group and source every interval instead
# of a line per datagram, counted exactly (never its rates, which depend
# on timing).
#
# Hosts (lab_bridge3): h2 receives two groups; h1 sends hand-made bench
# data (benchpy.py, from docs/PROTOCOL.md) to the first with a known gap,
# a duplicate and a swap; h3 sends plain text to the second. The final
# JSON table must give each row's exact datagrams and bytes, and loss,
# duplicates and reordering for the numbered stream only (null for the
# plain one, never guessed); signed envelopes are numbered too. Then: text to a pipe (one table per interval,
# "-" where nothing is numbered), a terminal (redrawn in place: the screen
# cleared before each table, through script(1)), a final table after
# SIGTERM, and the usage errors.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3
BENCHPY=$NET_DIR/benchpy.py

G1=239.7.6.1
G2=239.7.6.2
# 1-9, 11, 10, 12-15, 15 again, 18-20: 19 datagrams, 18 distinct, 16 and
# 17 lost, one duplicate, one out of order.
SEQS=1-9,11,10,12-15,15,18-20

# ---- JSON: exact counts per group and source --------------------------------
mc_bg js h2 recv -i eth0 --stats=200ms --json -n 24 -w "$(tmo 10)" "$G1:5076" "$G2:5076"
wait_listening js
bg bp h1 "$PYTHON" "$BENCHPY" send "$G1" 5076 eth0 "data:a1:$SEQS"
wait_exit bp "$LONG"
check_rc "benchpy sent its 19 data messages" 0 "$RC"
mc_run plain h3 send -i eth0 -p 4076 -n 5 -I 20ms "$G2:5076" hello
check_rc "h3 sends 5 plain datagrams" 0 "$RC"
wait_exit js "$LONG"
check_rc "recv --stats -n 24 exits 0 after 24 datagrams" 0 "$RC"
check_lacks "--stats prints no message lines" "$T/js.out" '"event":"message"'

# row FILE GROUP SOURCE FIELD...: the fields of GROUP's row from SOURCE in
# the final table.
row() {
	local f=$1 g=$2 s=$3 e
	shift 3
	local exprs=()
	for e in "$@"; do
		exprs+=("[x['$e'] for x in E('stats_row') if x['group'] == '$g' and x['source'] == '$s' and x['table'] == E('stats')[-1]['table']][0]")
	done
	jget "$f" "${exprs[@]}"
}
check_eq "final table: one stats record, final, 2 rows, nothing unlisted" "1 True 2 0" \
	"$(jget "$T/js.out" "len([x for x in E('stats') if x['final']])" \
		"E('stats')[-1]['final']" "E('stats')[-1]['rows']" "E('stats')[-1]['unlisted']")"
check_eq "$G1 from h1 (bench data): 19 datagrams, 1216 bytes, 2 lost, 1 duplicate, 1 reordered" \
	"19 1216 2 1 1 5076" "$(row "$T/js.out" "$G1" 10.77.0.1 datagrams bytes lost duplicates reordered port)"
check_eq "$G2 from h3 (plain): 5 datagrams, 25 bytes, loss, duplicates and reordering null" \
	"5 25 None None None 4076" \
	"$(row "$T/js.out" "$G2" 10.77.0.3 datagrams bytes lost duplicates reordered source_port)"
check_eq "tables are numbered 1, 2, ... and each row names its table" "ok" \
	"$(jget "$T/js.out" "'ok' if [x['table'] for x in E('stats')] == list(range(1, len(E('stats')) + 1)) and all(r['table'] in [x['table'] for x in E('stats')] for r in E('stats_row')) else [x['table'] for x in E('stats')]")"
check_eq "no table counts more than the final one" "ok" \
	"$(jget "$T/js.out" "'ok' if all(r['datagrams'] <= (19 if r['group'] == '$G1' else 5) for r in E('stats_row')) else 'bad'")"
check_eq "every row's rates and idle time are numbers >= 0" "ok" \
	"$(jget "$T/js.out" "'ok' if all(min(r['datagrams_per_s'], r['mbit_per_s'], r['idle_s']) >= 0 for r in E('stats_row')) else 'bad'")"
check_eq "the summary still counts: 24 datagrams, 1241 bytes, 2 sources" "24 1241 2" \
	"$(jget "$T/js.out" "S['datagrams']" "S['bytes']" "S['sources']")"

# ---- signed envelopes: numbered by the sender ---------------------------------
"$MCAST" keygen -q "$T/snd" >/dev/null 2>&1
mc_bg env h2 recv -i eth0 --stats=200ms --json --trust "$T/snd.pub" -n 4 -w "$(tmo 10)" "$G1:5081"
wait_listening env
mc_run esend h1 send -i eth0 --sign "$T/snd.key" -p 4081 -n 4 -I 20ms "$G1:5081" signed
check_rc "h1 sends 4 signed datagrams" 0 "$RC"
wait_exit env "$LONG"
check_rc "recv --stats --trust exits 0 after 4" 0 "$RC"
check_eq "signed envelopes: 4 datagrams, and loss, duplicates, reordering counted (0, not null)" \
	"4 0 0 0" "$(row "$T/env.out" "$G1" 10.77.0.1 datagrams lost duplicates reordered)"

# ---- text to a pipe ---------------------------------------------------------
mc_bg tx h2 recv -i eth0 --stats=100ms -n 3 -w "$(tmo 10)" "$G1:5077"
wait_listening tx
mc_run tsend h3 send -i eth0 -p 4077 -n 3 -I 20ms "$G1:5077" abcd
check_rc "h3 sends 3 datagrams" 0 "$RC"
wait_exit tx "$LONG"
check_rc "recv --stats (text) exits 0 after 3" 0 "$RC"
check_match "text: the final table's heading" "$T/tx.out" \
	'^--- recv stats, final: 1 row, rates over the whole run \([0-9.]+ s\) ---$'
check_match "text: the columns" "$T/tx.out" \
	'^group +source +dgrams/s +Mbit/s +datagrams +bytes +idle +lost +dup +ooo$'
check_eq "text: the final row: 3 datagrams, 12 bytes, '-' for what is not numbered" \
	"239.7.6.1:5077 10.77.0.3:4077 3 12 - - -" \
	"$(sed -n '/^--- recv stats, final/,$p' "$T/tx.out" | grep '^239' | awk '{ print $1, $2, $5, $6, $8, $9, $10 }')"
check_lacks "text: no escape codes to a pipe" "$T/tx.out" $'\033'
check_eq "text: every heading is a table's" "" \
	"$(grep '^---' "$T/tx.out" | grep -Ev '^--- recv stats( [0-9]+: [0-9]+ rows?, rates over [0-9.]+ s|, final: .*) ---$')"

# ---- a terminal: redrawn in place -------------------------------------------
# script(1) gives recv a pseudo-terminal for standard output.
if command -v script >/dev/null 2>&1; then
	# shellcheck disable=SC2086 # MCAST_WRAP is a command line on purpose
	bg tty h2 script -qec "$MCAST_WRAP $MCAST recv -i eth0 --stats=100ms -n 2 -w $(tmo 10) $G1:5078" /dev/null
	check "terminal: recv is listening" wait_for_file_text "$T/tty.out" "listening on" "$LONG"
	mc_run ttys h3 send -i eth0 -n 2 -I 20ms "$G1:5078" xy
	wait_exit tty "$LONG"
	check_rc "terminal: recv exits 0 after 2" 0 "$RC"
	check_has "terminal: the screen is cleared before a table (like watch)" "$T/tty.out" \
		$'\033[H\033[2J--- recv stats'
	check_match "terminal: the final table is on the screen" "$T/tty.out" \
		'^239\.7\.6\.1:5078 +10\.77\.0\.3:[0-9]+ +[0-9.]+ +[0-9.]+ +2 +4 '
else
	diag "no script(1): the terminal case is not checked"
fi

# ---- SIGTERM: the final table -----------------------------------------------
mc_bg sg h2 recv -i eth0 --stats=100ms --json -w "$(tmo 20)" "$G2:5079"
wait_listening sg
mc_run ssend h3 send -i eth0 -n 3 -I 20ms "$G2:5079" x
check "a table shows the 3 datagrams" wait_for_file_text "$T/sg.out" '"datagrams":3,' "$LONG"
kill -TERM "${PID[sg]}"
wait_exit sg "$LONG"
check_rc "SIGTERM: recv --stats exits 0" 0 "$RC"
check_eq "SIGTERM: the last table is the final one, with 3 datagrams" "True 3" \
	"$(jget "$T/sg.out" "E('stats')[-1]['final']" "E('stats_row')[-1]['datagrams']")"

# ---- usage ------------------------------------------------------------------
mc_run u1 h2 recv --stats=0 "$G1:5080"
check_rc "--stats=0: usage error" 2 "$RC"
check_has "--stats=0 says why" "$T/u1.err" "--stats: the interval must be more than 0"
mc_run u2 h2 recv --stats --hex "$G1:5080"
check_rc "--stats --hex: usage error" 2 "$RC"
check_has "--stats --hex says why" "$T/u2.err" "--stats prints a table, not payloads"
mc_run u3 h2 recv --stats=soon "$G1:5080"
check_rc "--stats=soon: usage error" 2 "$RC"
check_has "--stats=soon names the value" "$T/u3.err" "soon"

finish
