#!/usr/bin/env bash
# The safety rules of exclusive (extension_set and the role), check mode of deletes in use, the checks
# of list items, and the role on a play of three hosts. Each part is a real ansible-playbook run
# against the emulator, whose control endpoints (reset, request log, marking in use) the checks need.
set -eu

config=../../integration_config.yml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The modules' digest cache lives here, never in the ~/.cache of the account that runs the tests.
export XDG_CACHE_HOME="$work/xdg-cache"

emulator_url=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1], encoding="utf-8")).get("ece_emulator_url") or "")' "$config")
if [ -z "$emulator_url" ]; then
    echo "extension_set_safety needs the emulator (ece_emulator_url is empty): skipped"
    exit 0
fi

# Extra vars outrank every role variable: pass the config without the basic-auth pair, which would
# collide with the API key in the role's connection variables.
python -c 'import sys, yaml
config = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
config.pop("ece_username", None), config.pop("ece_password", None)
yaml.safe_dump(config, open(sys.argv[2], "w", encoding="utf-8"))' "$config" "$work/config.yml"

# The playbooks use the setup_ece role of the targets directory.
export ANSIBLE_ROLES_PATH=..
playbook() {
    ansible-playbook -e "@$work/config.yml" -e 'ansible_python_interpreter={{ ansible_playbook_python }}' "$@"
}

playbook -i localhost, -c local safety.yml "$@"

# Three hosts run the role at once: it must converge the list once, not three times.
playbook -i inventory.ini multi_host.yml "$@"

# A role run where one item fails: the report is printed, the play fails after it, and the recap
# counts the change the other item made.
code=0
playbook -i localhost, -c local role_failure.yml >"$work/role_failure.log" 2>&1 || code=$?
python check_role_failure.py "$work/role_failure.log" "$code"
