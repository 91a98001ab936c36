"""Write two zip archives of equal size and different bytes, and a vars file describing them.

    python make_zips.py DIRECTORY

Equal sizes make the module download the stored copy (from file_metadata.url) to compare SHA-256s,
the one request that may go to another origin than the API. Writes DIRECTORY/zips.yml with
`secrets_zips: {v1: {path, sha256}, v2: {path, sha256}}`.
"""

import hashlib
import json
import os
import sys
import zipfile


def main():
    directory = sys.argv[1]
    zips = {}
    for version in ('v1', 'v2'):
        path = os.path.join(directory, 'secrets-%s.zip' % version)
        with zipfile.ZipFile(path, 'w') as archive:
            archive.writestr(zipfile.ZipInfo('synonyms.txt', date_time=(1980, 1, 1, 0, 0, 0)), 'version %s: laptop, notebook\n' % version)
        with open(path, 'rb') as handle:
            zips[version] = {'path': path, 'sha256': hashlib.sha256(handle.read()).hexdigest()}
    # JSON is YAML: ansible-playbook reads it with -e @file.
    with open(os.path.join(directory, 'zips.yml'), 'w', encoding='utf-8') as handle:
        json.dump({'secrets_zips': zips}, handle)


if __name__ == '__main__':
    main()
