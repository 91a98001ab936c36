#!/usr/bin/env bash
# Load: eight ansible-playbook runs at once against the one server, each converging a disjoint set of
# 25 extensions with ece.platform.extension_set. All must converge to exactly 200 extensions with 200
# distinct names (nothing lost, nothing duplicated); a second concurrent pass must change nothing and
# send no write (the digest cache knows all 200 stored archives from the uploads, so nothing is downloaded). The deadline only stops runaway
# work (a hang, a retry loop): it is minutes, far above the usual time (about 15 s on a quiet 2-core
# machine), so a busy machine does not fail it. How fast this runs is measured by `make bench`.
set -eu

config=../../integration_config.yml
deadline=$((SECONDS + 600))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The modules' digest cache lives here, never in the ~/.cache of the account that runs the tests.
export XDG_CACHE_HOME="$work/xdg-cache"

# Runs the eight parts at once with: whether a change is expected, and the pass's name.
run_parts() {
    local expect_changed=$1 pass=$2 pids=() failed=0 remaining code
    remaining=$((deadline - SECONDS))
    if [ "$remaining" -le 0 ]; then
        echo "out of time before pass $pass"
        return 1
    fi
    for part in 1 2 3 4 5 6 7 8; do
        timeout "$remaining" ansible-playbook -i localhost, -c local converge.yml \
            -e "@$config" -e "@$work/part-$part.json" -e 'ansible_python_interpreter={{ ansible_playbook_python }}' \
            -e "expect_changed=$expect_changed" >"$work/$pass-$part.log" 2>&1 &
        pids+=($!)
    done
    for index in "${!pids[@]}"; do
        code=0
        wait "${pids[$index]}" || code=$?
        if [ "$code" -ne 0 ]; then
            echo "pass $pass, part $((index + 1)) failed with exit code $code (124: out of time):"
            tail -n 30 "$work/$pass-$((index + 1)).log"
            failed=1
        fi
    done
    echo "pass $pass done at ${SECONDS}s"
    return "$failed"
}

python load.py prepare "$config" "$work"
# Against a real ECE the 200 extensions must not stay behind, also when a check fails, and what an
# interrupted earlier run left must go first.
trap 'python load.py cleanup "$config" || true; rm -rf "$work"' EXIT
python load.py cleanup "$config"

run_parts true create
python load.py verify "$config" 200

python load.py mark "$config" "$work/mark"
run_parts false again
python load.py verify "$config" 200 "$work/mark"
