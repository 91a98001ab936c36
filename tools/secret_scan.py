"""Prove that no credential leaks: scan everything a test run printed or wrote for the secrets it used.

The integration step runs the whole suite at -vvvv with random credentials, keeps the complete
output in a log, and then looks for each secret (and the basic-auth header value made from the
user and password) in that log and in every file ansible-test wrote under tests/output.

One kind of line is not the collection's to answer for: at -vvv and above ansible-core echoes the
shell command it runs, with the task's own `environment:` in it. The targets that prove the
ECE_API_KEY fallback set the key there, so those `<host> EXEC ...` lines are left out of the scan.
"""

import base64
import os
import re

ANSIBLE_EXEC_ECHO = re.compile(rb'^<[^>\n]+> EXEC .*$', re.MULTILINE)


def secret_forms(api_key, username, password):
    """Every form in which the credentials could show up: as given, and as the basic-auth token."""
    token = base64.b64encode(('%s:%s' % (username, password)).encode()).decode()
    return {'api_key': api_key, 'password': password, 'basic auth token': token}


def find_secrets(forms, paths):
    """[(what, path)] for each secret form found in each file (read as bytes, so any encoding is covered)."""
    found = []
    encoded = {what: value.encode() for what, value in forms.items()}
    for path in paths:
        try:
            with open(path, 'rb') as handle:
                data = ANSIBLE_EXEC_ECHO.sub(b'', handle.read())
        except OSError:
            continue
        found.extend((what, path) for what, value in encoded.items() if value in data)
    return found


def files_under(root):
    for top, _dirs, files in os.walk(root):
        for name in files:
            yield os.path.join(top, name)
