#!/usr/bin/env bash
# The guide's examples run as printed (issue 16): every `code-block:: yaml` / `yaml+jinja` of the collection's
# docs/docsite/rst/*.rst, read from the collection under test, is extracted and classified by
# extract_examples.py (a task list, a playbook, the inventory source, rollout variables), or named there as not
# run with the reason; a block that is none of these fails the target, so no example slips in untested.
#
# Each runnable example, in document order (extra-docs.yml), on a reset emulator holding search-prod and
# logs-prod (8.15.1) and what the example presumes (world.py's GIVEN, made with the collection's modules):
# `ansible-playbook --check --diff` succeeds and sends no write (the request log: GET, searches and
# deployment_upgrade's validate_only PUT only), then a real run succeeds, then a second real run reports no
# change and sends no write. The inventory example runs as `ansible-inventory --graph`; the rollout
# variables with `ansible-playbook -i deployments.ece.yml ece.platform.rollout -e @rollout.yml -f 20`.
#
# The one substitution: an example's ECE address (https://ece.example.com:12443, https://ece-staging...),
# its CA (/etc/pki/ece-ca.pem, /etc/pki/ece-staging-ca.pem) and its user (username: ansible) point at the suite's emulator, and its
# vault_* variables hold the suite's credentials (a 0600 variables file; the fleet's ECE_API_KEY in the
# environment, as the guide says). Everything else is run byte for byte; a task list gets a play on localhost
# whose module_defaults give the connection, as the guide's own plays do. The files the examples name
# (bundles/synonyms/, files/analysis-custom-8.15.1.zip, ...) are made by world.py in the directory they run from.
set -eu

config=../../integration_config.yml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

emulator_url=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1], encoding="utf-8")).get("ece_emulator_url") or "")' "$config")
if [ -z "$emulator_url" ]; then
    echo "docs_examples resets the emulator between examples and reads its request log (ece_emulator_url is empty): skipped"
    exit 0
fi

# The collection under test (ansible-test's collections path), whose docs are the ones checked.
root=$(python -c '
import os, sys
for path in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
    root = os.path.join(path, "ansible_collections", "ece", "platform")
    if path and os.path.isfile(os.path.join(root, "docs", "docsite", "extra-docs.yml")):
        print(root)
        break
else:
    sys.exit("the docs of ece.platform were not found under ANSIBLE_COLLECTIONS_PATH=%s" % os.environ.get("ANSIBLE_COLLECTIONS_PATH"))
')

# The extractor refuses a block it cannot classify, naming it: a new example cannot slip into the guide untested.
mkdir -p "$work/bad-docs/rst" "$work/examples"
printf 'sections:\n  - toctree: [bad]\n' >"$work/bad-docs/extra-docs.yml"
printf 'Bad\n===\n\n.. code-block:: yaml\n\n   some_setting: 1\n' >"$work/bad-docs/rst/bad.rst"
if python extract_examples.py "$work/bad-docs" >"$work/bad.log" 2>&1 || ! grep -q 'bad.rst:4 (some_setting: 1)' "$work/bad.log"; then
    echo "the extractor did not refuse a block it cannot classify:"
    cat "$work/bad.log"
    exit 1
fi

echo "the guide's examples of $root"
python extract_examples.py "$root/docs/docsite"
python run_examples.py "$(cd "$(dirname "$config")" && pwd)/$(basename "$config")" "$root" "$work/examples" "$@"
