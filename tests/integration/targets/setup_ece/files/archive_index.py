# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: make the directory of the test archives if needed and print, as JSON, each *.zip in it
with its size and SHA-256, in the shape of ansible.builtin.find's result (files[].path/size/checksum,
matched). setup_ece runs it through a pipe lookup on the controller: the same answer as find, without a
module run in every target."""

import hashlib
import json
import os
import sys


def main(directory):
    os.makedirs(directory, mode=0o755, exist_ok=True)
    files = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if name.endswith('.zip') and os.path.isfile(path):
            with open(path, 'rb') as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
            files.append(dict(path=path, size=os.path.getsize(path), checksum=digest))
    print(json.dumps(dict(files=files, matched=len(files))))


if __name__ == '__main__':
    main(sys.argv[1])
