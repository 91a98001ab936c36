"""Print how many stored archives were downloaded and how many writes were sent so far: `<downloads> <writes>`."""

import json
import ssl
import sys
import urllib.request

import yaml

config = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))
context = ssl.create_default_context(cafile=config['ece_ca_path'])


def read(path):
    with urllib.request.urlopen(config['ece_emulator_url'] + path, context=context, timeout=30) as answer:
        return json.load(answer)


writes = [entry for entry in read('/_emulator/requests') if entry['method'] in ('POST', 'PUT', 'DELETE')]
print(len(read('/_emulator/file_requests')), len(writes))
