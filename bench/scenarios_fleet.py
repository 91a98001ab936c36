"""Rows 8a/8b: the fleet. A rollout over N deployments against the ideal of ceil(N/forks) batches of one plan each,
and `ansible-inventory --list` of 1,000 deployments (cold: no cache) against a static YAML inventory of 1,000 hosts.

8a: the emulator's plans take PLAN_SECONDS; t1 is ece.platform.rollout over one deployment, TN the same rollout
over N deployments with `ece_rollout_serial: 100%` (one batch, no canary) and `-f forks`. With perfect parallelism
TN = ceil(N/forks) x t1; the ratio shows what batching and Ansible's fork scheduling cost on top.
8b: both sides are whole `ansible-inventory --list` runs (start-up included on both), median of REPS.
"""

import math
import os
import statistics
import subprocess
import time

import yaml

from archives import small_zips
from playbook import play
from report import Row

N, FORKS, PLAN_SECONDS = 40, 20, 10
INVENTORY_HOSTS = 1000
REPS = 3


def _bin(ctx, name):
    return os.path.join(os.path.dirname(ctx.runner.python), name)


def _timed(cmd, env, cwd):
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError('%s failed (%d): %s' % (' '.join(cmd[:3]), done.returncode, done.stdout.decode()[-3000:]))
    return seconds


def _write(path, doc):
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(doc, handle)
    return path


def _rollout(ctx, env, prefix, count, extension):
    inventory = _write(os.path.join(ctx.tmp, '%s.ece.yml' % prefix),
                       {'plugin': 'ece.platform.deployments', 'host': ctx.runner.host, 'filters': {'name': [prefix + '-*']}})
    extra = os.path.join(ctx.tmp, '%s-vars.json' % prefix)
    _write(extra, {'ece_rollout_extensions': [extension], 'ece_rollout_serial': '100%', 'ece_host': ctx.runner.host})
    ctx.emulator._call('POST', '/_emulator/deployments',  # pylint: disable=protected-access
                       {'count': count, 'name_prefix': prefix + '-', 'elasticsearch_version': '8.15.1'}, auth=False)
    cmd = [_bin(ctx, 'ansible-playbook'), '-i', inventory, 'ece.platform.rollout', '-f', str(FORKS), '-e', '@' + extra]
    return _timed(cmd, env, ctx.tmp)


def _rollout_row(ctx, env):
    ctx.emulator.reset()
    ctx.emulator._call('POST', '/_emulator/plans', {'seconds': PLAN_SECONDS}, auth=False)  # pylint: disable=protected-access
    archive = small_zips(os.path.join(ctx.tmp, 'fleet-zips'), 1, 'fleet')[0]
    ctx.runner.run([play('setup: the bundle the rollout attaches', [{'ece.platform.extension': {
        'name': 'bench-fleet', 'extension_type': 'bundle', 'version': '8.*', 'file': archive}}])], 'fleet-setup')
    one = _rollout(ctx, env, 'one', 1, 'bench-fleet')
    many = _rollout(ctx, env, 'many', N, 'bench-fleet')
    ideal = math.ceil(N / FORKS) * one
    return Row('8a', 'rollout over %d deployments (%d s plans, forks %d) vs ceil(N/forks) x one deployment' % (N, PLAN_SECONDS, FORKS),
               'rollout N', many, 'ideal', ideal, op='<=', target=1.3, runs='1 run each'), {'t1': one, 'tN': many}


def _inventory_row(ctx, env):
    ctx.emulator.reset()
    ctx.emulator._call('POST', '/_emulator/deployments',  # pylint: disable=protected-access
                       {'count': INVENTORY_HOSTS, 'name_prefix': 'fleet-', 'elasticsearch_version': '8.15.1',
                        'tags': {'team': 'search'}}, auth=False)
    plugin = _write(os.path.join(ctx.tmp, 'fleet.ece.yml'),
                    {'plugin': 'ece.platform.deployments', 'host': ctx.runner.host, 'page_size': 500})
    hosts = {'fleet-%04d' % number: {'ece_elasticsearch_version': '8.15.1', 'ece_tags': {'team': 'search'}}
             for number in range(1, INVENTORY_HOSTS + 1)}
    static = _write(os.path.join(ctx.tmp, 'static.yml'), {'ece_deployments': {'hosts': hosts}})
    cmd = [_bin(ctx, 'ansible-inventory'), '--list', '-i']
    plugin_times, static_times = [], []
    for _rep in range(REPS):
        plugin_times.append(_timed(cmd + [plugin], env, ctx.tmp))
        static_times.append(_timed(cmd + [static], env, ctx.tmp))
    return Row('8b', 'ansible-inventory --list of %d deployments (cold) vs a static YAML inventory of %d hosts'
               % (INVENTORY_HOSTS, INVENTORY_HOSTS), 'plugin', statistics.median(plugin_times), 'static',
               statistics.median(static_times), op='<=', target=3, runs='median of %d' % REPS), {'plugin': plugin_times, 'static': static_times}


def run(ctx):
    env = dict(ctx.runner.env, ECE_IN_PROCESS='true')  # the rollout as users run it: modules in-process
    for name in ('ANSIBLE_CALLBACKS_ENABLED', 'ANSIBLE_CALLBACK_PLUGINS', 'BENCH_TIMINGS_FILE'):
        env.pop(name, None)  # whole runs are timed here, not plays
    rollout, rollout_raw = _rollout_row(ctx, env)
    inventory, inventory_raw = _inventory_row(ctx, env)
    return dict(rows=[rollout, inventory], raw={'rollout': rollout_raw, 'inventory': inventory_raw})
