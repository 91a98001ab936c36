"""Write the files secrets.yml needs, and a vars file describing them.

    python prepare.py DIRECTORY

- Two zip archives of equal size and different bytes. Equal sizes make the module download the
  stored copy (from file_metadata.url) to compare SHA-256s: the one request that may go to another
  origin than the API.
- other-ca.pem: one public root CA from certifi's bundle, which does not sign the server's
  certificate (neither the emulator's nor, in all likelihood, a real ECE's), for the TLS failure.

Writes DIRECTORY/vars.yml with `secrets_zips: {v1: {path, sha256}, v2: {path, sha256}}` and
`secrets_other_ca`.
"""

import hashlib
import json
import os
import sys
import zipfile

import certifi

PEM_END = '-----END CERTIFICATE-----'


def main():
    directory = sys.argv[1]
    zips = {}
    for version in ('v1', 'v2'):
        path = os.path.join(directory, 'secrets-%s.zip' % version)
        with zipfile.ZipFile(path, 'w') as archive:
            archive.writestr(zipfile.ZipInfo('synonyms.txt', date_time=(1980, 1, 1, 0, 0, 0)), 'version %s: laptop, notebook\n' % version)
        with open(path, 'rb') as handle:
            zips[version] = {'path': path, 'sha256': hashlib.sha256(handle.read()).hexdigest()}
    with open(certifi.where(), encoding='ascii') as handle:
        bundle = handle.read()
    first = bundle[bundle.index('-----BEGIN CERTIFICATE-----'):bundle.index(PEM_END) + len(PEM_END)]
    other_ca = os.path.join(directory, 'other-ca.pem')
    with open(other_ca, 'w', encoding='ascii') as handle:
        handle.write(first + '\n')
    # JSON is YAML: ansible-playbook reads it with -e @file.
    with open(os.path.join(directory, 'vars.yml'), 'w', encoding='utf-8') as handle:
        json.dump({'secrets_zips': zips, 'secrets_other_ca': other_ca}, handle)


if __name__ == '__main__':
    main()
