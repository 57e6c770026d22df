# plot.gp: the demo's picture, one panel per domain plus the host's free
# memory, with the administrator's commands marked where they happened.
#
#   gnuplot -e "dir='OUT/data'; png='OUT/demo.png'" demo/plot.gp
#
# Input (written by demo/record.awk from xensim's --record file, all sizes
# MiB, time in simulated seconds):
#   dir/domains.txt     one domain a line: name<TAB>panel title
#   dir/dom-NAME.dat    t balloon-target actual paged shared demand ...
#   dir/ptarget-NAME.dat  t policy-target (steps, from the events)
#   dir/host.dat        t free
#   dir/actions.dat     t<TAB>domain<TAB>command as typed
# The data is prepared outside gnuplot so that this file only draws: the
# panels, their order and titles are read, never hard-coded here.

if (!exists("dir") || !exists("png")) {
    print "plot.gp: give dir='DATA DIR' and png='OUTPUT FILE' with -e"
    exit status 2
}

doms = system("cut -f1 '".dir."/domains.txt'")
ndoms = words(doms)
npanels = ndoms + 1
ncols = 2
nrows = (npanels + ncols - 1) / ncols
tmax = real(system("awk 'NR > 0 { t = $1 } END { print t + 0 }' '" \
                   .dir."/host.dat'"))

set terminal pngcairo size 1400, 330 * nrows + 60 font "DejaVu Sans,10" \
    noenhanced
set output png

set style line 1 lc rgb "#000000" lw 2 dt 2      # policy target
set style line 7 lc rgb "#999999" lw 1           # balloon target
set style line 2 lc rgb "#1f77b4" lw 2.5         # actual
set style line 3 lc rgb "#ff7f0e" lw 2           # paged
set style line 4 lc rgb "#2ca02c" lw 2           # shared
set style line 5 lc rgb "#9467bd" lw 1.5 dt 3    # demand
set style line 6 lc rgb "#8c564b" lw 2.5         # host free
set grid lc rgb "#dddddd"
set key below horizontal maxcols 6 font ",8" samplen 2
set xrange [0:ceil(tmax)]
set yrange [0:*]
set offsets 0, 0, graph 0.06, 0
set ylabel "MiB" offset 1.5, 0
set lmargin 9
set datafile separator whitespace

# The commands that named domain `d` ("*": every command, for the host
# panel): how many there are, and the time and text of the j-th one.
sel(d) = sprintf("awk -F'\t' -v d='%s' 'd == \"*\" || $2 == d' '%s'", \
                 d, dir."/actions.dat")
nmarks(d) = int(system(sel(d)." | wc -l"))
nth(d, j, c) = system(sel(d). \
                      sprintf(" | awk -F'\t' 'NR == %d { print $%d }'", j, c))
mark_t(d, j) = real(nth(d, j, 1))
mark_what(d, j) = nth(d, j, 3)

set multiplot layout nrows, ncols \
    title "libmempolicy demo: memory of each domain on the simulated host" \
    font ",14"

do for [i = 1:npanels] {
    unset arrow
    unset label
    if (i <= ndoms) {
        d = word(doms, i)
        title = system(sprintf("awk -F'\t' -v d='%s' " . \
                               "'$1 == d { print $2 }' '%s'", \
                               d, dir."/domains.txt"))
    } else {
        d = "*"
        title = "host: free memory (all commands marked)"
    }
    do for [j = 1:nmarks(d)] {
        t = mark_t(d, j)
        set arrow from t, graph 0 to t, graph 1 nohead lc rgb "#c00000" dt 4
        set label mark_what(d, j) at t, graph 0.97 right rotate by 90 \
            offset -0.6, 0 font ",8" tc rgb "#c00000"
    }
    set title title font ",11"
    if (i > npanels - ncols) {
        set xlabel "simulated time (s)" offset 0, 0.5
    } else {
        unset xlabel
    }
    if (i <= ndoms) {
        f = dir."/dom-".d.".dat"
        plot dir."/ptarget-".d.".dat" using 1:2 with steps ls 1 \
                 title "target", \
             f using 1:2 with steps ls 7 title "balloon target", \
             f using 1:3 with lines ls 2 title "actual", \
             f using 1:4 with lines ls 3 title "paged", \
             f using 1:5 with lines ls 4 title "shared", \
             f using 1:6 with steps ls 5 title "demand"
    } else {
        set key inside bottom right
        plot dir."/host.dat" using 1:2 with lines ls 6 title "host free"
    }
}
unset multiplot
