"""Rows 4 and 5: a big archive, uploaded (4) and left unchanged (5), against curl; and the module's memory.

Per repetition, one playbook runs, in order: the module on a no-op (an unchanged metadata-only extension:
the memory baseline), an upload of each file size to a new extension, and the same task again for the
largest file (same size, so the module downloads the stored copy and compares SHA-256: the unchanged
path without the digest cache, which row 7 measures). Every module process runs under bench/peak_rss.py, which logs its peak RSS. Then, outside Ansible,
`curl -T` PUTs the largest file into a fresh extension, and `curl <file_metadata.url> | sha256sum` runs
next to `sha256sum <file>` (concurrently, as the module hashes both concurrently).
"""

import os

from archives import big_file
from measure import median, peak_rss_shim, read_process_log, run_timed
from playbook import by_name, expect_changed, play
from report import DELTA, Row

NOOP = 'bench-mem-noop'


def _label(mib):
    return '%d MiB' % mib if mib < 1024 else '%g GiB' % (mib / 1024.0)


def _ext_task(name, path=None):
    args = {'name': name, 'extension_type': 'bundle', 'version': '8.*'}
    if path:
        args['file'] = path
    else:
        args['description'] = 'metadata only'
    return [{'name': 'extension %s' % name, 'ece.platform.extension': args}]


def _measured_play(ctx, kind, rep, tasks):
    shim, log = peak_rss_shim(os.path.join(ctx.tmp, 'rss'), '%s-%d' % (kind, rep))
    return play('%s#%d' % (kind, rep), tasks, play_vars={'ansible_python_interpreter': shim}), (kind, log)


def _curl_upload(ctx, path, rep):
    target = ctx.emulator.create('bench-curl-%d' % rep)
    auth = 'Authorization: ApiKey %s' % ctx.emulator.api_key
    timing = run_timed(['curl', '-sS', '--fail', '-o', '/dev/null', '-T', path, '-H', auth, ctx.emulator.item_url(target['id'])])
    ctx.emulator.delete(target['id'])
    return timing


def _curl_compare(url, path):
    script = '(curl -sS --fail "$1" | sha256sum > /dev/null) & sha256sum "$2" > /dev/null; wait $!'
    return run_timed(['bash', '-c', 'set -e -o pipefail; ' + script, 'compare', url, path])


def run(ctx):
    sizes = ctx.sizes
    biggest = max(sizes.upload_sizes_mib)
    files = {mib: big_file(os.path.join(ctx.tmp, 'archive-%d-mib.zip' % mib), mib * 1024 * 1024) for mib in sizes.upload_sizes_mib}
    ctx.emulator.reset()
    ctx.emulator.create(NOOP, description='metadata only')
    logs, curl_put, curl_compare, plays_seen = {}, [], [], []
    for rep in range(sizes.upload_reps):
        plays = [play('setup: warm up', _ext_task(NOOP))]
        entries = [_measured_play(ctx, 'baseline', rep, _ext_task(NOOP))]
        for mib in sizes.upload_sizes_mib:
            entries.append(_measured_play(ctx, 'upload-%d' % mib, rep, _ext_task('bench-up-%d-%d' % (mib, rep), files[mib])))
        unchanged = _measured_play(ctx, 'unchanged-%d' % biggest, rep, _ext_task('bench-up-%d-%d' % (biggest, rep), files[biggest]))
        # Row 5 measures the comparison by download (the first run after a change elsewhere): no digest cache.
        unchanged[0]['environment'] = {'ECE_DIGEST_CACHE': 'false'}
        entries.append(unchanged)
        for measured_play, (kind, log) in entries:
            plays.append(measured_play)
            logs.setdefault(kind, []).append(log)
        plays_seen += ctx.runner.run(plays, 'upload-%d' % rep)
        curl_put.append(_curl_upload(ctx, files[biggest], rep))
        stored = ctx.emulator.find('bench-up-%d-%d' % (biggest, rep))
        curl_compare.append(_curl_compare(stored['file_metadata']['url'], files[biggest]))
        for mib in sizes.upload_sizes_mib:  # free the emulator's disk before the next repetition
            ctx.emulator.delete(ctx.emulator.find('bench-up-%d-%d' % (mib, rep))['id'])
    for path in files.values():
        os.unlink(path)
    measured = by_name(plays_seen)
    expect_changed(measured['baseline'] + measured['unchanged-%d' % biggest], False, 'no-op and unchanged archive')
    expect_changed([p for mib in sizes.upload_sizes_mib for p in measured['upload-%d' % mib]], True, 'upload to a new extension')
    rss, cpu = {}, {}
    for kind, paths in logs.items():
        processes = [entry for path in paths for entry in read_process_log(path)]
        if len(processes) != len(paths):
            raise RuntimeError('expected one module process per %s play, the logs show %d' % (kind, len(processes)))
        rss[kind] = max(process.peak_mib for process in processes)
        cpu[kind] = median(process.cpu for process in processes)
    med = {kind: median(p['seconds'] for p in found) for kind, found in measured.items()}
    runs = 'median of %d' % sizes.upload_reps
    big = _label(biggest)
    rows = [Row('4a', 'upload %s to a new extension: module vs curl -T (PUT)' % big, 'module', med['upload-%d' % biggest],
                'curl', median(t.wall for t in curl_put), op='<=', target=1.25, runs=runs),
            Row('4a-cpu', 'the same, CPU time: module process vs curl', 'module', cpu['upload-%d' % biggest],
                'curl', median(t.cpu for t in curl_put), runs=runs)]
    for index, mib in enumerate(sorted(sizes.upload_sizes_mib)):
        rows.append(Row('4%s' % 'bcd'[index], 'peak RSS of the module: upload %s vs no-op' % _label(mib), 'upload', rss['upload-%d' % mib],
                        'no-op', rss['baseline'], unit='MiB', kind=DELTA, op='<=', target=64, runs='max of %d' % sizes.upload_reps))
    rows.append(Row('5a', 'unchanged %s (SHA-256 path): module vs curl | sha256sum + sha256sum' % big, 'module',
                    med['unchanged-%d' % biggest], 'curl+sha256sum', median(t.wall for t in curl_compare), op='<=', target=1.5,
                    runs=runs))
    rows.append(Row('5a-cpu', 'the same, CPU time: module process vs curl, both sha256sum and bash', 'module',
                    cpu['unchanged-%d' % biggest], 'shell', median(t.cpu for t in curl_compare), runs=runs))
    rows.append(Row('5b', 'peak RSS of the module: unchanged %s vs no-op' % big, 'unchanged', rss['unchanged-%d' % biggest],
                    'no-op', rss['baseline'], unit='MiB', kind=DELTA, op='<=', target=64, runs='max of %d' % sizes.upload_reps))
    raw = {kind: [p['seconds'] for p in found] for kind, found in measured.items()}
    raw.update(curl_put=[t._asdict() for t in curl_put], curl_compare=[t._asdict() for t in curl_compare], peak_rss_mib=rss, module_cpu_seconds=cpu)
    return dict(rows=rows, raw=raw)
