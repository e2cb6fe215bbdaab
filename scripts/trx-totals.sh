#!/usr/bin/env bash
# Sums the <Counters> of every TRX file under a directory and prints "N passed, N failed, N skipped".
# Errors, timeouts and aborts count as failed. Exits 1 when anything failed or no results exist.
set -euo pipefail
dir="${1:?usage: trx-totals.sh RESULTS_DIR}"

passed=0 failed=0 skipped=0 files=0
while IFS= read -r -d '' trx; do
  files=$((files + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n1)"
  attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  skipped=$((skipped + $(attr notExecuted)))
done < <(find "$dir" -name '*.trx' -print0)

echo "$passed passed, $failed failed, $skipped skipped"
if ((files == 0 || failed > 0)); then
  exit 1
fi
