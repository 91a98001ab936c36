"""Search the captured output of secrets.yml for the credentials; exit 1 when one shows up.

    python check_secrets.py CONFIG PLAYBOOK_STATUS LOG...

Looks for the API key, the password and base64(user:password) (the basic-auth header value). It never
prints a secret: findings name the secret and the line numbers, and a failed playbook's output is
shown with every secret masked.
"""

import base64
import sys

import yaml

TAIL_LINES = 80


def secrets_of(config_path):
    with open(config_path, encoding='utf-8') as handle:
        config = yaml.safe_load(handle)
    user_pass = '%s:%s' % (config['ece_username'], config['ece_password'])
    return {
        'the API key': config['ece_api_key'],
        'the password': config['ece_password'],
        'base64(user:password)': base64.b64encode(user_pass.encode('utf-8')).decode('ascii'),
    }


def mask(text, secrets):
    for value in secrets.values():
        text = text.replace(value, '********')
    return text


def main():
    config_path, playbook_status, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
    secrets = secrets_of(config_path)
    leaks, total = 0, 0
    for log in logs:
        with open(log, encoding='utf-8', errors='replace') as handle:
            lines = handle.read().splitlines()
        total += len(lines)
        # The -vvvv output must be there at all, or finding nothing would prove nothing.
        if not any('PLAY RECAP' in line for line in lines) or not any('plugins/modules/extension.py' in line for line in lines):
            print('%s: no complete ansible-playbook output' % log)
            leaks += 1
        for name, value in secrets.items():
            found = [str(number) for number, line in enumerate(lines, 1) if value in line]
            if found:
                print('%s: %s appears on line(s) %s' % (log, name, ', '.join(found[:20])))
                leaks += 1
        if playbook_status != '0':
            print('---- last %d lines of %s (secrets masked) ----' % (TAIL_LINES, log))
            print(mask('\n'.join(lines[-TAIL_LINES:]), secrets))
    if leaks or playbook_status != '0':
        return 1
    print('No secret in %d lines of output.' % total)
    return 0


if __name__ == '__main__':
    sys.exit(main())
