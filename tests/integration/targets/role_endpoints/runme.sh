#!/usr/bin/env bash
# The role on a play over two ECE installations (the suite's emulator and a second one started here),
# one of them used by three hosts: each installation is converged exactly once and each host gets its
# own installation's results, under the linear and free strategies and with serial: 2. Then hosts of
# one installation that ask for different things: the later one fails, naming the first.
set -eu

config=../../integration_config.yml
work=$(mktemp -d)
second_pid=
cleanup() {
    if [ -n "$second_pid" ]; then
        kill "$second_pid" 2>/dev/null || true
        wait "$second_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

emulator_url=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1], encoding="utf-8")).get("ece_emulator_url") or "")' "$config")
if [ -z "$emulator_url" ]; then
    echo "role_endpoints needs the emulator (ece_emulator_url is empty): skipped"
    exit 0
fi

# The variables under names of their own: extra vars outrank host variables, so ece_host must not be one.
python prepare.py "$config" "$work/vars.yml"
emulator=$(python prepare.py --emulator)
port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
# The second installation takes the same API key, from the environment (never the command line, where ps shows it).
ECE_EMULATOR_API_KEY="$(python prepare.py --api-key "$config")" python "$emulator" --port "$port" --bind 127.0.0.1 \
    >"$work/second.log" 2>&1 &
second_pid=$!
for _ in $(seq 120); do
    grep -q '^READY ' "$work/second.log" && break
    sleep 0.5
done
grep -q '^READY ' "$work/second.log" || { echo "the second emulator did not start"; cat "$work/second.log"; exit 1; }

playbook() {
    timeout 900 ansible-playbook -i inventory.ini -e "@$work/vars.yml" -e "second_url=http://127.0.0.1:$port" \
        -e "work_dir=$work" -e 'ansible_python_interpreter={{ ansible_playbook_python }}' "$@"
}

playbook endpoints.yml -e it_strategy=linear -e it_serial=0 "$@"
playbook endpoints.yml -e it_strategy=free -e it_serial=0 "$@"
playbook endpoints.yml -e it_strategy=linear -e it_serial=2 "$@"

# p2 asks for another list than p1, on the same installation: p2 fails and names p1.
code=0
playbook mismatch.yml >"$work/mismatch.log" 2>&1 || code=$?
python prepare.py --check-mismatch "$work/mismatch.log" "$code"
