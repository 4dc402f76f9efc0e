#!/usr/bin/env bash
# The C tree is formatted as the repository's .clang-format says (STYLE.md): every tracked .c and
# .h file, checked without changing it. Fix with: clang-format -i <file> (or scripts/format.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0 n=0
while IFS= read -r f; do
  n=$((n + 1))
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    bad=$((bad + 1))
  fi
done < <(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'tests/unit/*.c' 'fuzz/*.c' 'bench/*.c' 'cmake/*.c' 2>/dev/null ||
         find src include tests/unit fuzz bench cmake -name '*.[ch]')
echo "$((n - bad)) passed, $bad failed (clang-format over $n files)"
[[ $n -gt 100 && $bad -eq 0 ]]
