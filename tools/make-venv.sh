#!/usr/bin/env bash
# Create a virtual environment with pinned requirements; idempotent (a stamp records its inputs).
#   tools/make-venv.sh                                   .venv, Python 3.12, requirements-dev.txt
#   tools/make-venv.sh .venv-2.19 3.11 requirements-oldest.txt
#   tools/make-venv.sh .venv-2.20 3.13 requirements-2.20.txt
# Writes how long it took (about 0 when the venv was up to date), wall clock and CPU seconds, to
# <venv>/.setup-seconds, for the summary of tools/suite.py.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.venv}"
version="${2:-3.12}"
requirements="${3:-requirements-dev.txt}"
stamp="$venv/.requirements.sha256"
started=$(date +%s.%N)

# The requirements file and those it includes with -r (recursively): another venv's file changes nothing here.
inputs() {
  echo "$1"
  sed -n 's/^-r[[:space:]]*//p' "$1" | while read -r included; do
    inputs "$(dirname "$1")/$included"
  done
}
want="$(inputs "$requirements" | sort -u | xargs cat | sha256sum | cut -d' ' -f1)"
if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c 'import ansible' 2>/dev/null; }; then
  python="$(tools/find-python.sh "$version")"
  echo "== creating $venv with $python"
  rm -rf "$venv"
  # Without pip's self-upgrade: the pip that the venv module brings installs wheels just as well, and
  # upgrading it is one download and one install more for every venv. --no-compile: Python compiles
  # the modules that are imported when they are first imported; most of ansible-core's never are.
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r "$requirements"
  echo "$want" > "$stamp"
fi
# Wall clock, then the CPU time (user + system) of the commands above (the second line of `times`).
# (`times` into a file, not a pipe: in a pipe it would run in a subshell that has no children.)
times > "$venv/.times"
awk -v start="$started" -v now="$(date +%s.%N)" '
  function secs(t) { split(t, p, "m"); return p[1] * 60 + substr(p[2], 1, length(p[2]) - 1) }
  NR == 2 { printf "%.1f %.1f\n", now - start, secs($1) + secs($2) }' "$venv/.times" > "$venv/.setup-seconds"
rm -f "$venv/.times"
