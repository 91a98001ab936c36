# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Once per ECE endpoint: which endpoint a task uses, and the store that lets one host of it run the module."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from ansible_collections.ece.platform.plugins.plugin_utils._once_per_endpoint import (
    EndpointMismatch,
    OncePerEndpoint,
    copied_result,
    endpoint_of,
    normalized_endpoint,
    options_digest,
    run_key,
)


@pytest.mark.parametrize('url, expected', [
    ('https://ECE.example.com:12443/', 'https://ece.example.com:12443'),
    ('https://ece.example.com:12443', 'https://ece.example.com:12443'),
    ('HTTP://127.0.0.1:9200//', 'http://127.0.0.1:9200'),
    ('https://user:secret@ece.example.com:12443', 'https://ece.example.com:12443'),
    ('https://[::1]:12443/', 'https://[::1]:12443'),
    ('  ', None),
    (None, None),
])
def test_normalized_endpoint(url, expected):
    assert normalized_endpoint(url) == expected


def test_the_endpoint_comes_from_the_option_then_the_task_environment_then_the_controller():
    assert endpoint_of({'host': 'https://a:1'}, {'ECE_HOST': 'https://b:1'}, {'ECE_HOST': 'https://c:1'}) == 'https://a:1'
    assert endpoint_of({}, {'EC_HOST': 'https://b:1'}, {'ECE_HOST': 'https://c:1'}) == 'https://b:1'
    assert endpoint_of({'host': ''}, {}, {'EC_HOST': 'https://c:1'}) == 'https://c:1'
    assert endpoint_of({}, {}, {}) is None


def test_the_options_digest_ignores_connection_and_private_options():
    base = dict(extensions=[{'name': 'a'}], exclusive=True)
    assert options_digest(dict(base, api_key='one', host='https://a:1')) == options_digest(dict(base, api_key='two', password='x'))
    assert options_digest(dict(base, _private=1)) == options_digest(base)
    assert options_digest(dict(base, exclusive=False)) != options_digest(base)


def test_run_keys_differ_by_scope_endpoint_and_occurrence():
    keys = {run_key(['play', 'tasks/converge.yml:11', 'x'], 'https://a:1', 1), run_key(['play', 'tasks/converge.yml:11', 'x'], 'https://b:1', 1),
            run_key(['play', 'tasks/converge.yml:11', 'x'], 'https://a:1', 2), run_key(['play2', 'tasks/converge.yml:11', 'x'], 'https://a:1', 1)}
    assert len(keys) == 4


def test_a_follower_gets_the_leaders_result_without_its_warnings():
    copied = copied_result({'changed': True, 'urls': {'a': 'repo://1'}, 'warnings': ['w'], 'invocation': {}}, 'p1')
    assert copied == {'changed': True, 'urls': {'a': 'repo://1'}, 'converged_by': 'p1'}


def test_the_first_host_runs_and_the_others_take_its_result(tmp_path):
    store = OncePerEndpoint(str(tmp_path / 'once'))
    calls = []

    def produce():
        calls.append(1)
        return {'changed': True, 'n': len(calls), 'invocation': {'module_args': {'api_key': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'}}}

    first, leader = store.run('k', 'p1', 'd', produce)
    second, leader2 = store.run('k', 'p2', 'd', produce)
    assert calls == [1] and leader == leader2 == 'p1'
    assert first['n'] == second['n'] == 1 and second['converged_by'] == 'p1'
    stored = json.loads((tmp_path / 'once' / 'k.json').read_text())
    assert 'invocation' not in stored['result']
    assert oct(os.stat(str(tmp_path / 'once')).st_mode & 0o777) == oct(0o700)


def test_a_follower_with_other_options_is_refused(tmp_path):
    store = OncePerEndpoint(str(tmp_path))
    store.run('k', 'p1', 'digest-1', lambda: {'changed': False})
    with pytest.raises(EndpointMismatch) as info:
        store.run('k', 'p2', 'digest-2', lambda: pytest.fail('must not run'))
    assert str(info.value) == 'p1'


def test_occurrences_count_per_host_scope_and_endpoint(tmp_path):
    store = OncePerEndpoint(str(tmp_path))
    assert [store.next_occurrence(['s'], 'e', 'p1') for _run in range(3)] == [1, 2, 3]
    assert store.next_occurrence(['s'], 'e', 'p2') == 1
    assert store.next_occurrence(['s'], 'other', 'p1') == 1
    assert store.next_occurrence(['t'], 'e', 'p1') == 1


def test_hosts_of_one_endpoint_wait_for_the_leader_and_other_endpoints_run_at_once(tmp_path):
    store = OncePerEndpoint(str(tmp_path))
    running, ran, results = [], [], {}
    lock = threading.Lock()

    def host(name, key):
        def produce():
            with lock:
                running.append(key)
                ran.append(name)
            time.sleep(0.3)
            with lock:
                running.remove(key)
            return {'by': name}
        results[name] = store.run(key, name, 'd', produce)[0]

    threads = [threading.Thread(target=host, args=(name, key))
               for name, key in (('p1', 'primary'), ('p2', 'primary'), ('p3', 'primary'), ('s1', 'secondary'))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    elapsed = time.monotonic() - started
    assert sorted(name[0] for name in ran) == ['p', 's']  # one run per endpoint
    primary_leader = [name for name in ran if name.startswith('p')][0]
    assert {results[name]['by'] for name in ('p1', 'p2', 'p3')} == {primary_leader}
    assert results['s1'] == {'by': 's1'}
    assert elapsed < 0.55  # the two endpoints ran side by side, not one after the other
