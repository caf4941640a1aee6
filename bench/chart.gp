# SPDX-License-Identifier: Apache-2.0
# Bar chart of the benchmark ratios against nginx (bench/bench.py writes the data).
# gnuplot -e 'datafile="chart.dat"; outfile="bench.png"; ncols=4; subtitle="..."' bench/chart.gp
# Data: header "metric" + one quoted label per server, then one row per metric with the
# ratio value/nginx of each server (NaN where not measured). Bars are drawn on a log2
# axis, so 2x above nginx and 2x below it are the same height; nginx is the 1x line.
# Bars are clipped to 1/64x .. 64x; the label on each bar is the ratio itself.
# Optional: charttitle (the first title line) and reflabel (the 1x tick) for charts whose
# reference is not nginx (ws_bench.py's bench-ws.png).
if (!exists("charttitle")) charttitle = "Ratio vs nginx (1 worker), measured in the same run (↑ higher is better, ↓ lower is better)"
if (!exists("reflabel")) reflabel = "1× (nginx)"
set terminal pngcairo size 960,460 font "DejaVu Sans,9" noenhanced
set output outfile
set title charttitle."\n".subtitle
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 noborder
set boxwidth 0.9
set datafile missing "NaN"
set key outside bottom center horizontal samplen 1.5 font ",9"
set key autotitle columnheader
set grid ytics lc rgb "#dddddd"
set xtics nomirror font ",9"
set ytics nomirror ("1/64×" -6, "1/32×" -5, "1/16×" -4, "1/8×" -3, "1/4×" -2, "1/2×" -1, reflabel 0, "2×" 1, "4×" 2, "8×" 3, "16×" 4, "32×" 5, "64×" 6)
set yrange [*:*]
set offsets 0, 0, 1.0, 1.0
set xzeroaxis lt 1 lc rgb "#333333" lw 1.5
set linetype 1 lc rgb "#1f77b4"
set linetype 2 lc rgb "#ff7f0e"
set linetype 3 lc rgb "#2ca02c"
set linetype 4 lc rgb "#9467bd"
set linetype 5 lc rgb "#8c564b"
lg(r) = r <= 0 ? -6 : (log(r) / log(2) < -6 ? -6 : (log(r) / log(2) > 6 ? 6 : log(r) / log(2)))
xpos(i) = $0 + (i - 2 - (ncols - 1) / 2.0) / (ncols + 1.0)
txt(r) = r >= 9.995 ? sprintf("%.0f", r) : sprintf("%.2f", r)
plot for [i=2:ncols+1] datafile using (lg(column(i))):xtic(1) title columnhead(i) lt (i-1), \
     for [i=2:ncols+1] datafile using (xpos(i)):(lg(column(i)) >= 0 ? lg(column(i)) + 0.12 : 1/0):(txt(column(i))) \
         with labels rotate by 90 left font ",7" notitle, \
     for [i=2:ncols+1] datafile using (xpos(i)):(lg(column(i)) < 0 ? lg(column(i)) - 0.12 : 1/0):(txt(column(i))) \
         with labels rotate by 90 right font ",7" notitle
