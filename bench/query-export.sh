#!/usr/bin/env bash
# The Query export benchmark (issue 13): `pgpulse query --csv` in a JVM capped at -Xmx256m against
# `psql -c "\copy (...) to FILE csv"` on the same server and query, interleaved (A B A B ...), rows/s of each
# run from wall time (process start included on both sides), the median of the rounds and the ratio.
# Not part of `mvn verify`: a round of 10 M rows is ~30 s a side here. Results go in docs/PERFORMANCE.md.
#
#   bench/query-export.sh [URL]      URL: postgresql://user@host:port/db (default: the local server's "test")
#   ROWS=10000000 ROUNDS=3 FETCH=10000 OUT_DIR=/tmp  bench/query-export.sh ...
#   PGPULSE="java -cp ... dev.pgpulse.Main"  to run a build other than bin/pgpulse
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
url="${1:-postgresql://postgres@127.0.0.1:5432/test}"
rows="${ROWS:-10000000}"
rounds="${ROUNDS:-3}"
fetch="${FETCH:-10000}"
out_dir="$(mktemp -d "${OUT_DIR:-/tmp}/pgpulse-export-bench.XXXXXX")"
trap 'rm -rf "$out_dir"' EXIT
pgpulse="${PGPULSE:-$here/bin/pgpulse}"
psql_bin="$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1 || true)"
psql_bin="${psql_bin:-$(command -v psql)}" || { echo "query-export: psql not found (apt-get install postgresql-client)" >&2; exit 2; }
sql="SELECT g, md5(g::text) FROM generate_series(1, $rows) g"

now() { date +%s.%N; }
rate() { awk -v r="$rows" -v s="$1" 'BEGIN { printf "%.0f", r / s }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
lines() { wc -l < "$1" | tr -d ' '; }

echo "query export: $rows rows of ($sql), $rounds rounds, fetch size $fetch, pgpulse with -Xmx256m"
echo "server: $("$psql_bin" -X -At -d "$url" -c 'show server_version') at ${url%%\?*}; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-8s %10s %12s\n' round side seconds rows/s
: > "$out_dir/pgpulse.rates"; : > "$out_dir/psql.rates"; : > "$out_dir/ratios"; : > "$out_dir/inrun.rates"
for ((i = 1; i <= rounds; i++)); do
  # alternate who goes first, so neither always inherits the other's cache and page-cache state
  if ((i % 2)); then order="pgpulse psql"; else order="psql pgpulse"; fi
  declare -A secs=()
  for side in $order; do
    f="$out_dir/$side.csv"; rm -f "$f"
    t0="$(now)"
    if [ "$side" = pgpulse ]; then
      PGPULSE_JAVA_OPTS="-Xmx256m ${PGPULSE_JAVA_OPTS:-}" $pgpulse query --url "$url" --csv "$f" --fetch-size "$fetch" "$sql" 2> "$out_dir/pgpulse.err" \
        || { cat "$out_dir/pgpulse.err" >&2; echo "query-export: pgpulse failed" >&2; exit 1; }
      grep -q OutOfMemoryError "$out_dir/pgpulse.err" && { echo "query-export: OutOfMemoryError" >&2; exit 1; }
    else
      "$psql_bin" -X -q -d "$url" -c "\\copy ($sql) to '$f' csv header" > /dev/null
    fi
    t1="$(now)"
    [ "$(lines "$f")" = "$((rows + 1))" ] || { echo "query-export: $side wrote $(lines "$f") lines, expected $((rows + 1))" >&2; exit 1; }
    secs[$side]="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
    echo "$(rate "${secs[$side]}")" >> "$out_dir/$side.rates"
    printf '%-6s %-8s %10s %12s\n' "$i" "$side" "${secs[$side]}" "$(rate "${secs[$side]}")"
  done
  cmp -s "$out_dir/pgpulse.csv" "$out_dir/psql.csv" && same="identical bytes" || same="DIFFERENT bytes"
  said="$(grep 'rows to' "$out_dir/pgpulse.err" | sed 's/^pgpulse: query: //')"
  # pgpulse's own figure: from the run's start to the file's rename, JVM start and connecting left out
  echo "$said" | sed -E 's/.*\(([0-9,]+) rows\/s\).*/\1/; s/,//g' >> "$out_dir/inrun.rates"
  echo "       round $i: files $same; pgpulse said: $said"
  awk -v p="${secs[psql]}" -v q="${secs[pgpulse]}" 'BEGIN { printf "%.3f\n", p / q }' >> "$out_dir/ratios"
  rm -f "$out_dir"/*.csv
done
p="$(median < "$out_dir/pgpulse.rates")"; q="$(median < "$out_dir/psql.rates")"; r="$(median < "$out_dir/ratios")"
echo "median rows/s (wall, process start included): pgpulse query --csv $p, psql \\copy $q; pgpulse/psql ratio (median of rounds) $r"
echo "median rows/s of pgpulse's run alone (its summary line): $(median < "$out_dir/inrun.rates")"
