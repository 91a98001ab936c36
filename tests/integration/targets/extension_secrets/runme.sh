#!/usr/bin/env bash
# No secret may show up in anything a run prints, even at -vvvv: run secrets.yml with the API key and,
# at the same time, with username/password, capture stdout and stderr, and search them for the API
# key, the password and the basic-auth header value base64(user:password).
# Not `set -x`: it would print the secrets.
set -eu

config=../../integration_config.yml
work=$(mktemp -d)
# The modules' digest cache lives here, never in the ~/.cache of the account that runs the tests.
export XDG_CACHE_HOME="$work/xdg-cache"
front_pid=
cleanup() {
    if [ -n "$front_pid" ]; then
        kill "$front_pid" 2>/dev/null || true
        wait "$front_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# One value of the integration config; used for values that are not secret only.
config_value() {
    python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1], encoding="utf-8")).get(sys.argv[2]) or "")' "$config" "$1"
}

python prepare.py "$work"

front_url=
if [ -n "$(config_value ece_emulator_url)" ]; then
    # The emulator serves https://127.0.0.1:<port>; the front reaches it as https://localhost:<port>
    # (its certificate names both), so the archive URLs it hands out have another origin.
    upstream=$(python -c 'import sys; print(sys.argv[1].replace("://127.0.0.1:", "://localhost:"))' "$(config_value ece_host)")
    python front.py "$upstream" "$(config_value ece_ca_path)" "$work/front.port" &
    front_pid=$!
    # Up to 2 minutes for the front to start: a bound for a hang, not for a busy machine.
    for _ in $(seq 1200); do
        [ -s "$work/front.port" ] && break
        sleep 0.1
    done
    front_url="http://127.0.0.1:$(cat "$work/front.port")"
fi

# Both modes at once (they use extensions of their own): half the time. The 10-minute bound only stops
# a hang; the usual time is seconds.
pids=()
for mode in api_key basic; do
    timeout 600 ansible-playbook -vvvv -i localhost, -c local secrets.yml \
        -e "@$config" -e "@$work/vars.yml" -e 'ansible_python_interpreter={{ ansible_playbook_python }}' \
        -e "auth_mode=$mode" -e "front_url=$front_url" >"$work/$mode.log" 2>&1 &
    pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
    wait "$pid" || status=1
done

# Reports findings by name and line number only; shows a log's tail, secrets masked, when a run failed.
python check_secrets.py "$config" "$status" "$work/api_key.log" "$work/basic.log"
