#!/usr/bin/env bash
# Print the path of a real Python interpreter of the wanted version (default 3.12).
# pyenv shims of inactive versions exit 127, so the real binaries under pyenv are tried first,
# then whatever `pythonX.Y` on PATH actually runs.
set -euo pipefail
want="${1:-3.12}"
candidates=()
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root)"
  for dir in "$root"/versions/"$want".*; do
    candidates+=("$dir/bin/python$want")
  done
fi
candidates+=("python$want" "/usr/bin/python$want" "/usr/local/bin/python$want")
for py in "${candidates[@]}"; do
  if "$py" -c "import sys, venv; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" >/dev/null 2>&1; then
    command -v "$py"
    exit 0
  fi
done
echo "error: no working Python $want found (install it, e.g. 'pyenv install $want')" >&2
exit 1
