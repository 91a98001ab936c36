"""Helpers of runme.sh: prepare the parts of the load test and check the server out of band.

    python load.py prepare CONFIG DIR     # archive, DIR/part-N.json for N in 1..8, emulator reset
    python load.py mark CONFIG FILE       # remember the length of the emulator's request log
    python load.py verify CONFIG COUNT [MARK_FILE]
    python load.py cleanup CONFIG         # delete the it-load-* extensions (a real ECE keeps them)

verify lists the extensions with a plain API request (not the collection's code) and checks that
exactly COUNT extensions named it-load-* exist, with distinct names, all of the expected ones, each
with the uploaded archive; with MARK_FILE, that no write (POST, PUT, DELETE) was sent since the mark.
Without an emulator (ece_emulator_url empty) the reset and the request-log checks are skipped.
"""

import json
import os
import ssl
import sys
import urllib.request
import zipfile

import yaml

PARTS = 8
PER_PART = 25
PREFIX = 'it-load-'


def load_config(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def expected_names():
    return ['%s%d-%02d' % (PREFIX, part, index) for part in range(1, PARTS + 1) for index in range(1, PER_PART + 1)]


def call(config, url, method='GET', api=False):
    request = urllib.request.Request(url, method=method)
    if api:
        request.add_header('Authorization', 'ApiKey %s' % config['ece_api_key'])
    context = ssl.create_default_context(cafile=config['ece_ca_path'])
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return json.load(response)


def prepare(config, directory):
    archive = os.path.join(directory, 'load.zip')
    with zipfile.ZipFile(archive, 'w') as handle:
        handle.writestr('synonyms.txt', 'laptop, notebook\n')
    for part in range(1, PARTS + 1):
        extensions = [dict(name=name, extension_type='bundle', version='*', description='load test', file=archive)
                      for name in expected_names() if name.startswith('%s%d-' % (PREFIX, part))]
        with open(os.path.join(directory, 'part-%d.json' % part), 'w', encoding='utf-8') as handle:
            json.dump({'load_extensions': extensions}, handle)
    if config.get('ece_emulator_url'):
        call(config, config['ece_emulator_url'] + '/_emulator/reset', method='POST')
    print('prepared %d parts of %d extensions' % (PARTS, PER_PART))
    return 0


def request_log(config):
    return call(config, config['ece_emulator_url'] + '/_emulator/requests')


def mark(config, mark_file):
    length = len(request_log(config)) if config.get('ece_emulator_url') else 0
    with open(mark_file, 'w', encoding='utf-8') as handle:
        handle.write(str(length))
    return 0


def verify(config, count, mark_file=None):
    host = config['ece_host'].rstrip('/')
    found = [ext for ext in call(config, host + '/api/v1/deployments/extensions', api=True)['extensions']
             if ext.get('name', '').startswith(PREFIX)]
    names = [ext['name'] for ext in found]
    problems = []
    if len(found) != count:
        problems.append('%d extensions named %s*, expected %d' % (len(found), PREFIX, count))
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        problems.append('duplicated names: %s' % ', '.join(duplicates))
    if count:
        missing = sorted(set(expected_names()) - set(names))
        if missing:
            problems.append('missing: %s' % ', '.join(missing))
        without_file = sorted(ext['name'] for ext in found if not (ext.get('file_metadata') or {}).get('size'))
        if without_file:
            problems.append('without an archive: %s' % ', '.join(without_file))
    if mark_file and config.get('ece_emulator_url'):
        with open(mark_file, encoding='utf-8') as handle:
            start = int(handle.read())
        writes = [entry for entry in request_log(config)[start:] if entry['method'] in ('POST', 'PUT', 'DELETE')]
        if writes:
            problems.append('%d writes since the mark, e.g. %s %s' % (len(writes), writes[0]['method'], writes[0]['path']))
    for problem in problems:
        print('verify: ' + problem)
    if not problems:
        print('verify: %d extensions named %s*, all distinct%s' % (len(found), PREFIX, ', no write since the mark' if mark_file else ''))
    return 1 if problems else 0


def cleanup(config):
    host = config['ece_host'].rstrip('/')
    found = [ext for ext in call(config, host + '/api/v1/deployments/extensions', api=True)['extensions']
             if ext.get('name', '').startswith(PREFIX)]
    for ext in found:
        call(config, '%s/api/v1/deployments/extensions/%s' % (host, ext['id']), method='DELETE', api=True)
    print('cleanup: deleted %d extensions named %s*' % (len(found), PREFIX))
    return 0


def main():
    command, config = sys.argv[1], load_config(sys.argv[2])
    if command == 'prepare':
        return prepare(config, sys.argv[3])
    if command == 'mark':
        return mark(config, sys.argv[3])
    if command == 'verify':
        return verify(config, int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None)
    if command == 'cleanup':
        return cleanup(config)
    raise SystemExit('unknown command %s' % command)


if __name__ == '__main__':
    sys.exit(main())
