#!/usr/bin/env bash
# Create a virtual environment with pinned requirements; idempotent (a stamp records its inputs).
#   tools/make-venv.sh                                   .venv, Python 3.12, requirements-dev.txt
#   tools/make-venv.sh .venv-2.19 3.11 requirements-oldest.txt
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.venv}"
version="${2:-3.12}"
requirements="${3:-requirements-dev.txt}"
stamp="$venv/.requirements.sha256"
# Every requirements file: the dev file includes the others by -r.
want="$(cat requirements*.txt "$requirements" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c 'import ansible' 2>/dev/null; then
  exit 0
fi
python="$(tools/find-python.sh "$version")"
echo "== creating $venv with $python"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
echo "$want" > "$stamp"
