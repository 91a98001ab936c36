#!/usr/bin/env bash
# The digest cache: what an unchanged archive costs (counted in the emulator's download log), that a broken,
# unwritable or disabled cache never gives a wrong answer, raw uploads, bundle trees zipped otherwise,
# download_url with conditional GETs (cache.yml); then two playbooks at once sharing one cache.
# XDG_CACHE_HOME points into a temporary directory: the account's own ~/.cache is never used.
set -eu

config=../../integration_config.yml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

emulator_url=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1], encoding="utf-8")).get("ece_emulator_url") or "")' "$config")
if [ -z "$emulator_url" ]; then
    echo "extension_digest_cache counts downloads in the emulator's logs (ece_emulator_url is empty): skipped"
    exit 0
fi

export ANSIBLE_ROLES_PATH=..
playbook() {
    ansible-playbook -i localhost, -c local -e "@$config" -e 'ansible_python_interpreter={{ ansible_playbook_python }}' \
        -e "cache_home=$work/xdg-cache" "$@"
}

playbook cache.yml "$@"

# Two playbooks at once, each converging six extensions from three shared archives: both write the cache at
# the same time. First pass: everything is created and uploaded. Second pass, again both at once: nothing
# changes, nothing is written, and not one stored archive is downloaded (all digests from the cache).
mkdir "$work/archives"
for n in 0 1 2; do
    mkdir -p "$work/src-$n/dictionaries"
    printf 'archive %s: laptop, notebook\n' "$n" >"$work/src-$n/dictionaries/synonyms.txt"
    (cd "$work/src-$n" && python -m zipfile -c "$work/archives/par-$n.zip" dictionaries)
done
both() {
    local expect_changed=$1 pass=$2 code=0
    shift 2
    playbook concurrent.yml -e part=a -e "archives=$work/archives" -e "expect_changed=$expect_changed" "$@" >"$work/$pass-a.log" 2>&1 &
    local first=$!
    playbook concurrent.yml -e part=b -e "archives=$work/archives" -e "expect_changed=$expect_changed" "$@" >"$work/$pass-b.log" 2>&1 &
    local second=$!
    wait "$first" || code=$?
    wait "$second" || code=$?
    if [ "$code" -ne 0 ]; then
        tail -n 40 "$work/$pass-a.log" "$work/$pass-b.log"
        return 1
    fi
}
both true create
read -r downloads_before writes_before < <(python log_counts.py "$config")
both false again -vvv
read -r downloads_after writes_after < <(python log_counts.py "$config")
if [ "$downloads_after" != "$downloads_before" ] || [ "$writes_after" != "$writes_before" ]; then
    echo "the concurrent second pass downloaded $((downloads_after - downloads_before)) stored archives and sent $((writes_after - writes_before)) writes; expected none"
    exit 1
fi
python check_cache_dir.py "$work/xdg-cache"

# -vvv says where each digest came from: here the cache, every time.
hits=$(cat "$work/again-a.log" "$work/again-b.log" | grep -c 'which has not changed since (digest cache): nothing downloaded or hashed' || true)
misses=$(cat "$work/again-a.log" "$work/again-b.log" | grep -c 'computed by downloading' || true)
if [ "$hits" -ne 12 ] || [ "$misses" -ne 0 ]; then
    echo "expected 12 decisions from the cache at -vvv and none from a download; got $hits and $misses"
    exit 1
fi
echo "concurrent runs: second pass without downloads or writes, 12 digests from the cache"
