"""Row 6: the modules run in-process (the default on the controller) against uri, ping, debug, the role and curl.

Every other scenario runs the modules in their own process (bench/playbook.py sets ECE_IN_PROCESS=false);
the plays here set `ece_in_process: true`, so each row compares the in-process path with what it replaces.
- 6a to 6d: a no-op task in loops of ITEMS items (as row 1), per item: the in-process extension task vs uri
  GET, debug, ping, and the same task as a module process. 6b-task: the same task written ITEMS times in a
  row instead (every task pays for its own worker process) vs debug written the same way.
- 6e, 6f: a loop of N ece.platform.extension items, in-process, vs the role over the same N, unchanged and new.
- 6g to 6i: 1 GiB uploaded in-process vs curl -T, and the worker's peak RSS (bench/worker_rss.py) vs a
  no-op task, and a loop of 20 uploads vs one (memory must not grow from item to item).
"""

import os

from archives import big_file, extension_items, small_zips
from measure import median, run_timed
from playbook import by_name, expect_changed, play, reset_play
from report import DELTA, Row
from worker_rss import run_sampled

NAME = 'bench-ip-noop'
ITEMS = 10
KINDS = ('in-process', 'uri', 'debug', 'ping', 'module')
IN_PROCESS = {'ece_in_process': True}
LOOP_UPLOADS = 20
LOOP_UPLOAD_MIB = 16


def _single(kind):
    if kind in ('in-process', 'module'):
        return {'ece.platform.extension': {'name': NAME, 'extension_type': 'bundle', 'version': '8.*', 'description': 'metadata only'}}
    if kind == 'uri':
        return {'ansible.builtin.uri': {
            'url': "{{ lookup('ansible.builtin.env', 'ECE_HOST') }}/api/v1/deployments/extensions",
            'headers': {'Authorization': "ApiKey {{ lookup('ansible.builtin.env', 'ECE_API_KEY') }}"}}}
    if kind == 'debug':
        return {'ansible.builtin.debug': {'msg': 'no-op'}}
    return {'ansible.builtin.ping': {}}


def _loop_play(kind, rep):
    task = dict(_single(kind), name='%s, %d items' % (kind, ITEMS), loop='{{ range(%d) | list }}' % ITEMS)
    return play('%s#%d' % (kind, rep), [task], play_vars=IN_PROCESS if kind == 'in-process' else None)


def _tasks_play(kind, rep):
    tasks = [dict(_single(kind), name='%s %d' % (kind, index)) for index in range(ITEMS)]
    return play('%s-tasks#%d' % (kind, rep), tasks, play_vars=IN_PROCESS if kind == 'in-process' else None)


def _single_tasks(ctx):
    ctx.emulator.reset()
    ctx.emulator.create(NAME, description='metadata only')
    plays = [play('setup: warm up', [dict(_single(kind), name=kind) for kind in KINDS], play_vars=IN_PROCESS)]
    reps = ctx.sizes.noop_reps
    for rep in range(reps):
        order = KINDS if rep % 2 == 0 else tuple(reversed(KINDS))
        plays += [_loop_play(kind, rep) for kind in order]
        plays += [_tasks_play(kind, rep) for kind in (('in-process', 'debug') if rep % 2 == 0 else ('debug', 'in-process'))]
    measured = by_name(ctx.runner.run(plays, 'in-process-single-tasks'))
    expect_changed(measured['in-process'] + measured['module'] + measured['in-process-tasks'], False, 'no-op extension tasks')
    each = {kind: median(p['seconds'] / ITEMS for p in found) for kind, found in measured.items()}
    runs = 'median of %d loops of %d items, interleaved' % (reps, ITEMS)
    rows = [
        Row('6a', 'no-op loop item: extension in-process vs uri GET, per item', 'in-process', each['in-process'],
            'uri', each['uri'], op='<=', target=0.1, runs=runs),
        Row('6b', 'no-op loop item: extension in-process vs debug (no module), per item', 'in-process', each['in-process'],
            'debug', each['debug'], op='<=', target=3.0, runs=runs),
        Row('6b-task', 'no-op task (%d in a row, no loop): extension in-process vs debug, per task' % ITEMS, 'in-process',
            each['in-process-tasks'], 'debug', each['debug-tasks'], runs='median of %d plays of %d tasks' % (reps, ITEMS)),
        Row('6c', 'no-op loop item: extension in-process vs ping, per item', 'in-process', each['in-process'],
            'ping', each['ping'], runs=runs),
        Row('6d', 'no-op loop item: extension in-process vs as a module process, per item', 'in-process', each['in-process'],
            'module', each['module'], runs=runs),
    ]
    return rows, {kind: [p['seconds'] / ITEMS for p in found] for kind, found in measured.items()}


def _loop_task(items):
    return [{'name': 'Converge %d extensions, one task each, in-process' % len(items),
             'ece.platform.extension': {key: '{{ item.%s }}' % key for key in ('name', 'extension_type', 'version', 'file')},
             'loop': items, 'loop_control': {'label': '{{ item.name }}'}}]


def _role(items):
    return [{'role': 'ece.platform.extensions', 'vars': {'ece_extensions': items}}]


def _loop_vs_role(ctx):
    n, reps = max(ctx.sizes.loop_sizes), ctx.sizes.converge_reps
    items = extension_items(small_zips(os.path.join(ctx.tmp, 'ip-loop'), n, 'iploop'), 'bench-iploop')
    plays = [reset_play(), play('setup: warm up', _loop_task(items[:1]), roles=_role(items[1:2]), play_vars=IN_PROCESS)]
    for rep in range(reps):
        pair = [('loop', lambda name: play(name, _loop_task(items), play_vars=IN_PROCESS)),
                ('role', lambda name: play(name, roles=_role(items), play_vars=IN_PROCESS))]
        for kind, make in (pair if rep % 2 == 0 else pair[::-1]):
            plays += [reset_play(), make('%s-new#%d' % (kind, rep)), make('%s-unchanged#%d' % (kind, rep))]
    measured = by_name(ctx.runner.run(plays, 'in-process-loop-vs-role'))
    for kind, found in measured.items():
        expect_changed(found, kind.endswith('-new'), kind)
    med = {kind: median(p['seconds'] for p in found) for kind, found in measured.items()}
    runs = 'median of %d each, alternating' % reps
    rows = [Row('6e', '%d extensions, unchanged: loop of extension in-process vs the role' % n, 'loop', med['loop-unchanged'],
                'role', med['role-unchanged'], op='<=', target=3.0, runs=runs),
            Row('6f', '%d extensions, new: loop of extension in-process vs the role' % n, 'loop', med['loop-new'],
                'role', med['role-new'], op='<=', target=3.0, runs=runs)]
    return rows, {kind: [p['seconds'] for p in found] for kind, found in measured.items()}


def _upload_task(name, path, loop=None):
    task = {'name': 'upload %s' % name, 'ece.platform.extension': {
        'name': name, 'extension_type': 'bundle', 'version': '8.*', 'file': path}}
    if loop:
        task['ece.platform.extension']['force_upload'] = True
        task['loop'] = list(range(loop))
    return [task]


def _measured(ctx, name, tasks, label):
    """Run one play alone (its own ansible-playbook) under the worker sampler: (play, worker peak MiB)."""
    found, mib = run_sampled(name, lambda: ctx.runner.run([play(name, tasks, play_vars=IN_PROCESS)], label))
    return found[0], mib


def _uploads(ctx):
    mib = max(ctx.sizes.upload_sizes_mib)
    reps = ctx.sizes.upload_reps
    path = big_file(os.path.join(ctx.tmp, 'ip-archive-%d-mib.zip' % mib), mib * 1024 * 1024)
    small = big_file(os.path.join(ctx.tmp, 'ip-archive-%d-mib.zip' % LOOP_UPLOAD_MIB), LOOP_UPLOAD_MIB * 1024 * 1024)
    ctx.emulator.reset()
    ctx.emulator.create(NAME, description='metadata only')
    ctx.runner.run([play('setup: warm up', [dict(_single('in-process'), name='warm up')], play_vars=IN_PROCESS)], 'ip-warm')
    noop, upload, curl, one, twenty = [], [], [], [], []
    for rep in range(reps):
        noop.append(_measured(ctx, 'noop#%d' % rep, [dict(_single('in-process'), name='no-op')], 'ip-noop-%d' % rep))
        upload.append(_measured(ctx, 'upload#%d' % rep, _upload_task('bench-ip-up-%d' % rep, path), 'ip-upload-%d' % rep))
        target = ctx.emulator.create('bench-ip-curl-%d' % rep)
        auth = 'Authorization: ApiKey %s' % ctx.emulator.api_key
        curl.append(run_timed(['curl', '-sS', '--fail', '-o', '/dev/null', '-T', path, '-H', auth, ctx.emulator.item_url(target['id'])]))
        for name in ('bench-ip-up-%d' % rep, 'bench-ip-curl-%d' % rep):
            ctx.emulator.delete(ctx.emulator.find(name)['id'])
        one.append(_measured(ctx, 'one#%d' % rep, _upload_task('bench-ip-one-%d' % rep, small), 'ip-one-%d' % rep))
        twenty.append(_measured(ctx, 'twenty#%d' % rep, _upload_task('bench-ip-twenty-%d' % rep, small, loop=LOOP_UPLOADS),
                                'ip-twenty-%d' % rep))
    os.unlink(path)
    os.unlink(small)
    expect_changed([p for p, _mib in noop], False, 'no-op in-process')
    expect_changed([p for p, _mib in upload + one + twenty], True, 'uploads in-process')
    label = '%d MiB' % mib if mib < 1024 else '%g GiB' % (mib / 1024.0)
    runs = 'median of %d' % reps
    rows = [
        Row('6g', 'upload %s to a new extension: in-process vs curl -T (PUT)' % label, 'in-process',
            median(p['seconds'] for p, _mib in upload), 'curl', median(t.wall for t in curl), op='<=', target=1.25, runs=runs),
        Row('6h', 'peak RSS of the worker: upload %s in-process vs a no-op task' % label, 'upload', max(m for _p, m in upload),
            'no-op', max(m for _p, m in noop), unit='MiB', kind=DELTA, op='<=', target=64, runs='max of %d' % reps),
        Row('6i', 'peak RSS of the worker: a loop of %d uploads of %d MiB vs one' % (LOOP_UPLOADS, LOOP_UPLOAD_MIB), 'loop of %d' % LOOP_UPLOADS,
            max(m for _p, m in twenty), 'one', max(m for _p, m in one), unit='MiB', kind=DELTA, op='<=', target=16,
            runs='max of %d' % reps),
    ]
    raw = {'noop': noop, 'upload': upload, 'curl': [t._asdict() for t in curl], 'one': one, 'twenty': twenty}
    return rows, raw


def run(ctx):
    rows, raw = [], {}
    for name, part in (('single', _single_tasks), ('loop', _loop_vs_role), ('upload', _uploads)):
        part_rows, raw[name] = part(ctx)
        rows += part_rows
    return dict(rows=rows, raw=raw)
