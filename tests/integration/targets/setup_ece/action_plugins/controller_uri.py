# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: the subset of ansible.builtin.uri that the targets use, run in the worker on the controller.

The targets talk to the emulator's control endpoints (and, to set up odd states, straight to the API) a
few hundred times per run. ansible.builtin.uri starts a module process for each request, which costs
about half a second of CPU; the suite runs every target several times (both ways, several
ansible-core versions), so those requests were a large share of its time. This action sends the same
request from the worker with ansible-core's own open_url, over the same HTTPS, and returns the keys the
targets read (status, json, content, msg, url). It is loaded from setup_ece's action_plugins, which every
target depends on; it is not part of the collection.

Options: url, method (GET), body, body_format (json or raw), headers, ca_path, status_code (200, or a
list), timeout (30), sha256 (false; true returns the SHA-256 of the body as `sha256` instead of the body, for
archives). A status outside status_code fails the task, as uri does.
"""

from __future__ import annotations

import hashlib
import json

from urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url
from ansible.plugins.action import ActionBase

OPTIONS = ('url', 'method', 'body', 'body_format', 'headers', 'ca_path', 'status_code', 'timeout', 'sha256')


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        unknown = sorted(set(args) - set(OPTIONS))
        if unknown:
            return dict(result, failed=True, msg='controller_uri does not take %s (it takes %s)' % (', '.join(unknown), ', '.join(OPTIONS)))
        headers = dict(args.get('headers') or {})
        data = args.get('body')
        if data is not None and args.get('body_format', 'raw') == 'json':
            data = json.dumps(data)
            headers.setdefault('Content-Type', 'application/json')
        expected = args.get('status_code', 200)
        expected = [int(code) for code in (expected if isinstance(expected, list) else [expected])]
        url = args['url']
        try:
            response = open_url(url, data=data, headers=headers, method=args.get('method', 'GET'),
                                ca_path=args.get('ca_path'), timeout=int(args.get('timeout', 30)))
            status, content = response.status, response.read()
        except HTTPError as exc:
            status, content = exc.code, exc.read()
        except URLError as exc:
            return dict(result, failed=True, status=-1, url=url, msg='Request failed: %s' % exc.reason)
        result.update(status=status, url=url, changed=False)
        if args.get('sha256'):
            result['sha256'] = hashlib.sha256(content).hexdigest()
            text = ''
        else:
            text = content.decode('utf-8', errors='replace')
            result['content'] = text
            try:
                result['json'] = json.loads(text) if text else None
            except ValueError:
                pass
        if status not in expected:
            result.update(failed=True, msg='Status code was %s and not %s: %s' % (status, expected, text[:500]))
        else:
            result['msg'] = 'OK (%d bytes)' % len(content)
        return result
