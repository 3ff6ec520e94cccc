#!/bin/bash
# Two `mcast bench send` runs from one host to one text `mcast bench recv`
# (issue 10, item 19): the table shows two rows from the same address,
# told apart by the sender id column, each with its own count; the ids are
# the ones the senders print in their JSON summaries.
#
# Hosts (lab_bridge3): h1 10.77.0.1 sends twice in turn, h2 receives.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

G=239.7.6.1:5761
# A receive buffer for all 500, as a receiver under valgrind is slow.
mc_bg rx h2 bench recv -i eth0 --gro off --rcvbuf 8M -w "$(tmo 3)" "$G"
wait_listening rx
mc_run s1 h1 bench send -i eth0 --json --rate 10k -n 300 "$G"
check_rc "first bench send exits 0" 0 "$RC"
mc_run s2 h1 bench send -i eth0 --json --rate 10k -n 200 "$G"
check_rc "second bench send exits 0" 0 "$RC"
wait_exit rx "$LONG"
check_rc "bench recv exits 0" 0 "$RC"
id1=$(jget "$T/s1.out" 'S["sender_id"]')
id2=$(jget "$T/s2.out" 'S["sender_id"]')
check "the two senders have different ids" test "$id1" != "$id2"
check_match "the header names the sender id column" "$T/rx.out" '^sender +sender id +received '
check_match "a row for the first sender: 10.77.0.1, its id, 300 received" "$T/rx.out" \
	"^10\\.77\\.0\\.1 +$id1 +300 "
check_match "a row for the second sender: 10.77.0.1, its id, 200 received" "$T/rx.out" \
	"^10\\.77\\.0\\.1 +$id2 +200 "
check_match "the closing line counts 2 senders" "$T/rx.out" '^500 datagrams from 2 senders; '

finish
