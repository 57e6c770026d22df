# verdict.awk: did one domain end where its policy says it should, and if
# not, why not.  Run once per domain:
#
#   awk -v name=web -v actor=xl-auto -v target=768 -v state=reached -v tol=4 \
#       -f demo/verdict.awk OUT/data/dom-web.dat OUT/data/host.dat
#
# actor is the domain's actor, "none" for "" and "-" when the domain has
# no policy at all; target is the policy target in MiB ("" when none was
# set); state the library's verdict on it at the end (mem-list's
# target_state: below, reached, above; "" when none).  The series are
# those plot.gp draws (MiB, simulated seconds):
#   dom-NAME.dat  t balloon-target actual paged shared demand shortfall
#   host.dat      t free
# Prints one line: NAME<TAB>STATUS<TAB>TEXT, STATUS one of reached, stuck,
# slow, host-full, floor, no-actor, idle-actor, missed.  The reasons are tried
# from the most specific to the least, and only from what the recording
# shows, so the verdict explains the picture next to it.

function abs(x) { return x < 0 ? -x : x }
function mib(x) { return sprintf("%d MiB", x + 0.5) }

FILENAME == ARGV[1] {
    n++
    t[n] = $1; bt[n] = $2; act[n] = $3; pg[n] = $4; sh[n] = $5; dem[n] = $6
    sf[n] = $7
    next
}
{ hfree = $2 }

END {
    if (n == 0) {
        printf "%s\tmissed\tnever seen by the simulated host\n", name
        exit
    }
    # Xen's tot_pages: what the domain holds of the host's memory, with
    # paged-out and shared pages already left out.
    res = act[n]
    how = "holds " mib(act[n])
    if (pg[n] > 0)
        how = how ", " mib(pg[n]) " paged out"
    if (sh[n] > 0)
        how = how ", " mib(sh[n]) " shared"
    note = ""
    if (sf[n] > tol)
        note = "; the guest swaps: demand " mib(dem[n]) " is " mib(sf[n]) \
               " above what it has resident"

    if (actor == "-" || actor == "none") {
        why = "no actor manages it"
        if (actor == "-")
            why = "no policy (is mempolicyd running?)"
        printf "%s\tno-actor\t%s: %s%s\n", name, why, how, note
        exit
    }
    if (target == "") {
        printf "%s\tidle-actor\t%s has no target to reach: %s%s\n",
               name, actor, how, note
        exit
    }
    # Reached is the library's verdict (mempolicy_target_cmp, through
    # mem-list's target_state), never a comparison made here: on a real
    # host tot_pages is not the target (video RAM, firmware pages).
    if (state == "reached") {
        printf "%s\treached\treached its target %s (%s)%s\n",
               name, mib(target), how, note
        exit
    }
    # Below the target only by pages it shares: the memory is still there
    # for the guest, deduplicated, which is what a sharing policy is for.
    if (res < target && res + sh[n] >= target - tol) {
        printf "%s\treached\treached its target %s, and below it by " \
               "sharing (%s)%s\n", name, mib(target), how, note
        exit
    }

    # When did the balloon target last change?  Everything after that is
    # the guest's and the actor's answer to it.
    since = 1
    for (i = 2; i <= n; i++)
        if (abs(bt[i] - bt[i - 1]) > tol)
            since = i
    moved = abs(act[n] - act[since])
    # The last few simulated seconds tell still moving from stopped.
    for (late = n; late > 1 && t[n] - t[late] < 3; late--)
        ;
    recent = abs(act[n] - act[late])

    # A balloon target that never moved and is not the target: nobody
    # acted on the policy.
    if (since == 1 && abs(bt[n] - target) > tol)
        printf "%s\tidle-actor\tmissed its target %s: the balloon target " \
               "is still %s (is %s running?)%s\n",
               name, mib(target), mib(bt[n]), actor, note
    else if (res > target && moved <= tol)
        printf "%s\tstuck\tmissed its target %s: stuck balloon driver " \
               "(actual stayed at %s for %ds after its balloon target " \
               "became %s)%s\n",
               name, mib(target), mib(act[n]), t[n] - t[since] + 0.5,
               mib(bt[n]), note
    else if (recent > tol)
        printf "%s\tslow\tnot yet at its target %s: the balloon driver " \
               "is still moving, %s to go (%s)%s\n",
               name, mib(target), mib(abs(res - target)), how, note
    else if (abs(act[n] - bt[n]) <= tol && bt[n] > target)
        printf "%s\tfloor\tstopped at its balloon target %s, above its " \
               "target %s (the actor's min= floor?)%s\n",
               name, mib(bt[n]), mib(target), note
    else if (res < target && hfree <= tol)
        printf "%s\thost-full\tbelow its target %s: the host has no free " \
               "memory left (%s)%s\n", name, mib(target), how, note
    else
        printf "%s\tmissed\tmissed its target %s by %s (%s)%s\n",
               name, mib(target), mib(abs(res - target)), how, note
}
