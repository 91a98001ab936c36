# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: run a task once per ECE endpoint among the hosts of a play.

The role ece.platform.extensions is often played by several inventory hosts: one host per ECE
installation, or several hosts (controllers) of one installation. Each installation must be converged
exactly once, and each host must get the result of its own installation. `run_once` cannot say that
(it means once per play, and the `free` strategy ignores it), and a host cannot wait for another
host's facts (inside a forked worker, hostvars are a snapshot taken when the task started).

So the action plugin decides, on the controller, per task run: the ECE endpoint the task talks to
(its `host` option, else ECE_HOST / EC_HOST of the task's environment or of the controller) is the
unit. The first host of an endpoint to reach the task runs the module under an exclusive file lock
and stores the result (without credentials: the module's own output, `invocation` dropped); every
other host of that endpoint waits for the lock, then takes the stored result. Hosts of different
endpoints use different locks, so they run in parallel. This holds whatever the strategy (`linear`,
`free`) and across `serial` batches, as the store lives as long as the ansible-playbook run: it sits
in ansible's per-run local temporary directory, which ansible-playbook removes when it exits.

Which run of a task pairs with which: the n-th time host A runs a given task of a play pairs with the
n-th time host B runs it (a role included twice converges twice; a loop item pairs with the same item).
Hosts of one endpoint must give the task the same options (connection options aside): otherwise the
follower fails and names both hosts, instead of silently taking a result computed for other input.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

# The task variable the role sets on the tasks it wants converged once per endpoint.
SWITCH_VARIABLE = '_ece_once_per_endpoint'

# Options that say how to reach ECE, not what to do there: hosts of one endpoint may differ in them
# (each its own API key, say), and credentials must never reach the store or a key.
CONNECTION_OPTIONS = frozenset(('host', 'api_key', 'username', 'password', 'validate_certs', 'ca_path', 'timeout',
                                'retries', 'retry_max_wait'))
HOST_ENV = ('ECE_HOST', 'EC_HOST')
# Result keys a follower does not repeat: the leader's task showed its warnings already.
NOT_COPIED = ('invocation', 'warnings', 'deprecations')


class EndpointMismatch(Exception):
    """Hosts of one endpoint gave the task different options."""


def normalized_endpoint(url):
    """The endpoint of a `host` value: scheme, host and port, lower-cased, without credentials, path or slash; None if unset."""
    if url is None or not str(url).strip():
        return None
    text = str(url).strip()
    parts = urlsplit(text)
    if not parts.scheme or not parts.hostname:
        return text.rstrip('/').lower()  # the module refuses it; still, hosts with the same wrong value share it
    netloc = parts.hostname.lower()
    if ':' in netloc:
        netloc = '[%s]' % netloc
    if parts.port is not None:
        netloc += ':%d' % parts.port
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip('/'), '', ''))


def endpoint_of(args, task_environment, controller_environment):
    """The endpoint a task talks to: its `host` option, else ECE_HOST / EC_HOST of the task, else of the controller."""
    if args.get('host') not in (None, ''):
        return normalized_endpoint(args['host'])
    for environment in (task_environment or {}, controller_environment or {}):
        for name in HOST_ENV:
            if environment.get(name):
                return normalized_endpoint(environment[name])
    return None


def _digest(value):
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode('utf-8')).hexdigest()


def options_digest(args):
    """A digest of what the task asks for: its options without the connection options and private ones."""
    return _digest({key: value for key, value in args.items() if key not in CONNECTION_OPTIONS and not key.startswith('_')})


def run_key(scope, endpoint, occurrence):
    """The file name shared by the hosts whose `occurrence`-th run of the task `scope` talks to `endpoint`."""
    return _digest([scope, endpoint, occurrence])


def copied_result(stored, leader):
    """What a follower returns: the leader's result, without what only the leader shows, naming the leader."""
    result = {key: value for key, value in stored.items() if key not in NOT_COPIED}
    result['converged_by'] = leader
    return result


class OncePerEndpoint:
    """The store of one ansible-playbook run: a private directory of lock, result and counter files."""

    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, mode=0o700, exist_ok=True)

    def _path(self, name, suffix):
        return os.path.join(self.directory, name + suffix)

    def next_occurrence(self, scope, endpoint, host):
        """1 the first time `host` runs the task `scope` against `endpoint`, then 2, ...

        A host runs one task at a time, so its own counter needs no lock.
        """
        path = self._path(_digest([scope, endpoint, host]), '.count')
        try:
            with open(path, encoding='utf-8') as handle:
                count = int(handle.read().strip() or 0)
        except (OSError, ValueError):
            count = 0
        count += 1
        self._write(path, str(count))
        return count

    def _write(self, path, text):
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix='.tmp-')
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            handle.write(text)
        os.replace(temporary, path)

    @contextlib.contextmanager
    def _locked(self, name):
        fd = os.open(self._path(name, '.lock'), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits while the leader of this endpoint runs the module
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def run(self, name, host, digest, produce):
        """(result, leader): the stored result of run `name` when another host made it, else produce()'s, stored.

        Raises EndpointMismatch when the stored result was made for other options (`digest`).
        """
        with self._locked(name):
            path = self._path(name, '.json')
            if os.path.exists(path):
                with open(path, encoding='utf-8') as handle:
                    stored = json.load(handle)
                if stored['digest'] != digest:
                    raise EndpointMismatch(stored['host'])
                return copied_result(stored['result'], stored['host']), stored['host']
            result = produce()
            kept = {key: value for key, value in result.items() if key != 'invocation'}
            self._write(path, json.dumps(dict(host=host, digest=digest, result=kept), default=str))
            return result, host


def store_directory(local_tmp):
    """The store of this ansible-playbook run, inside its local temporary directory (removed when the run ends)."""
    return os.path.join(local_tmp, 'ece-platform-once-per-endpoint')


def mismatch_message(host, leader, endpoint):
    return ('Hosts %s and %s both use the ECE at %s, but give this task different options (for example different '
            'ece_extensions or ece_deployment_extensions). The role converges each ECE once, with the options of the first '
            'host (%s), and does not copy its result to a host that asked for something else. Give the hosts of one ECE '
            'installation the same role variables (group_vars of a group per installation).'
            % (leader, host, endpoint, leader))
