#!/bin/bash
# log-flood.t.sh: a guest cannot flood xensim's log (issue 12).
#
# What a client causes at will (here: a header announcing a payload over
# XENSTORE_PAYLOAD_MAX, which costs it one connection) is logged at most
# once a minute per source, each guest apart, and the next line let
# through says how many were held back (tools/xensim/ratelog.h).  The
# minute is simulated time: the test holds xensim's clock, so 50
# disconnects fall within one minute by construction, and steps it to
# exactly 59 s and 60 s.  Every wait is a connection xensim closed
# (after its log line), never a sleep.
. "$(dirname "$0")/../lib.sh"
flood="python3 $MP_TOP/tests/support/xsflood.py"

# lines REGEX: how many lines of xensim's log match.
lines() { grep -cE "$1" "$XENSIM_DIR/xensim.log"; }

xensim_start --domains 2
ok 'xensim_hv clock pause' "the clock is held"
dom1='client \(dom1\) sent a 4097-byte payload; disconnected'
dom2='client \(dom2\) sent a 4097-byte payload; disconnected'

out=$($flood oversize "$XENSTORED_PATH.dom1" 50 2>&1)
is "$out" disconnected=50 "dom1's 50 connections with an oversized header are closed"
is "$(lines "$dom1")" 1 "50 of them within a minute: one log line"

out=$($flood oversize "$XENSTORED_PATH.dom2" 3 2>&1)
is "$out" disconnected=3 "dom2's are closed too"
is "$(lines "$dom2")" 1 "dom2 has its own line: one guest does not silence another"

ok 'xensim_hv clock step 59000' "59 s pass"
out=$($flood oversize "$XENSTORED_PATH.dom1" 1 2>&1)
is "$(lines "$dom1")" 1 "59 s after its line, dom1's next one is still held back"

ok 'xensim_hv clock step 1000' "the minute is over"
out=$($flood oversize "$XENSTORED_PATH.dom1" 2 2>&1)
is "$(lines "$dom1")" 2 "a minute after its line, dom1 gets one more"
like "$(grep -E "$dom1" "$XENSIM_DIR/xensim.log" | tail -1)" \
    "\\(and 50 more lines of this source in the last 60 s, not logged: one a minute\\)\$" \
    "it counts the 50 held back (49 before the step, one after)"

# What is still held back is said when the source goes away (its
# xenstore socket is gone before destroy's reply).
ok "xensim_hv destroy 1" "dom1 destroyed"
is "$(lines '^xensim: dom1: 1 more lines not logged \(one a minute\) before it went away$')" 1 \
    "the one held back since is counted when dom1 goes away"

xensim_hv clock resume >/dev/null
done_testing
