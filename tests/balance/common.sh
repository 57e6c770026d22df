# tests/balance/common.sh: what the balance actor's shell tests share on
# xensim's held clock (docs/determinism.md), on top of tests/lib.sh and
# tests/actors/common.sh:
#   idle            nothing moves on the host (hv time: moving=0)
#   settle          step the clock 1 s at a time until idle
#   step COND...    step 200 ms at a time until COND holds
#   tgt DOMID       memory/target (KiB)
#   st DOMID        the balance actor's status line for it
#   status_like DOMID REGEX
#   now_s           the simulated clock, seconds
#   rec_min_free F  the lowest host free memory on recording F

idle() { "$PROBE" hv time | grep -q ' moving=0$'; }
settle() { step_until balance 1000 idle; }
step() { step_until balance 200 "$@"; }
tgt() { xenstore-read "/local/domain/$1/memory/target"; }
st() { xenstore-read "/tool/mempolicy/actors/balance/status/$1" 2>/dev/null; }
status_like() { [[ $(st "$1") =~ $2 ]]; }
now_s() { xensim_hv clock | sed -n 's/^ok ms=\([0-9]*\).*/\1/p' |
    awk '{ print $1 / 1000 }'; }
# rec_min_free FILE: the lowest host free memory on a xensim recording
# (KiB).
rec_min_free() {
    awk -F, 'NR > 1 && (m == "" || $11 + 0 < m) { m = $11 + 0 }
        END { print m }' "$1"
}
