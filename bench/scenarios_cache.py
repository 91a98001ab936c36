"""Row 7: what an unchanged archive costs with the digest cache, and a raw upload (upload_mode: raw) against curl -T.

The modules run in-process (the default on the controller), with the digest cache in the run's temp dir
(XDG_CACHE_HOME), never the account's ~/.cache.
- 7a to 7c: interleaved plays of one task each: an unchanged metadata-only extension (the baseline), an
  unchanged extension whose archive (a local file) is 256 MiB and one of 1 GiB, and an unchanged extension from a
  download_url (256 MiB, served by tests/emulator/archive_server.py). Before they are measured, each was
  converged once (the upload, or the first comparison), as in a playbook's second run. The emulator's download
  log must show no download of a stored archive during the measured plays, or the row is not valid.
- 7d, 7e: 1 GiB uploaded with upload_mode: raw, in-process, vs `curl -T` with Content-Type application/zip (as
  Elastic's guide does), four times each in alternating order, both to an extension created beforehand; and the
  worker's peak RSS (bench/worker_rss.py) during it vs during a no-op task.
"""

import json
import os
import urllib.request

import emulator_process  # tools/emulator_process.py (bench/run.py puts tools/ on the path)
from archives import big_file
from measure import median, run_timed
from playbook import by_name, expect_changed, play
from report import DELTA, Row
from worker_rss import run_sampled

IN_PROCESS = {'ece_in_process': True}
NOOP = 'bench-cache-noop'
SIZES_MIB = (256, 1024)
URL_MIB = 256
UPLOAD_MIB = 1024


def _label(mib):
    return '%d MiB' % mib if mib < 1024 else '%g GiB' % (mib / 1024.0)


def _task(name, **source):
    args = dict(name=name, extension_type='bundle', version='8.*', **source)
    if not source:
        args['description'] = 'metadata only'
    return [{'name': 'extension %s' % name, 'ece.platform.extension': args}]


def _play(ctx, name, tasks):
    doc = play(name, tasks, play_vars=IN_PROCESS)
    doc['environment'] = {'XDG_CACHE_HOME': os.path.join(ctx.tmp, 'xdg-cache')}
    return doc


def _downloads(ctx):
    with urllib.request.urlopen(ctx.emulator.host + '/_emulator/file_requests', timeout=60) as answer:
        return len(json.load(answer))


def _unchanged(ctx, files, url, url_mib):
    reps = max(3, ctx.sizes.upload_reps)
    tasks = {'noop': _task(NOOP), 'url': _task('bench-cache-url', download_url=url)}
    tasks.update(('file-%d' % mib, _task('bench-cache-%d' % mib, file=path)) for mib, path in files.items())
    setup = [_play(ctx, 'setup: converge %s' % kind, found) for kind, found in tasks.items()]
    # A second round: the download_url's first comparison reads the URL and the stored copy once.
    setup += [_play(ctx, 'setup: compare %s once' % kind, found) for kind, found in tasks.items()]
    ctx.runner.run(setup, 'cache-setup')
    before = _downloads(ctx)
    kinds = list(tasks)
    plays = []
    for rep in range(reps):
        order = kinds if rep % 2 == 0 else kinds[::-1]
        plays += [_play(ctx, '%s#%d' % (kind, rep), tasks[kind]) for kind in order]
    measured = by_name(ctx.runner.run(plays, 'cache-unchanged'))
    downloaded = _downloads(ctx) - before
    if downloaded:
        raise RuntimeError('the unchanged plays downloaded %d stored archives: the digest cache did not answer' % downloaded)
    expect_changed([p for found in measured.values() for p in found], False, 'unchanged extensions')
    med = {kind: median(p['seconds'] for p in found) for kind, found in measured.items()}
    runs = 'median of %d, interleaved' % reps
    rows = [Row('7%s' % 'ab'[index], 'unchanged extension with a %s archive (file) vs an unchanged metadata-only one'
                % _label(mib), _label(mib), med['file-%d' % mib], 'metadata', med['noop'], op='<=', target=1.5, runs=runs)
            for index, mib in enumerate(sorted(files))]
    rows.append(Row('7c', 'unchanged extension from a download_url (%s, conditional GET) vs an unchanged metadata-only one'
                    % _label(url_mib), 'download_url', med['url'], 'metadata', med['noop'], op='<=', target=1.5, runs=runs))
    return rows, {kind: [p['seconds'] for p in found] for kind, found in measured.items()}


def _measured(ctx, name, tasks, label):
    found, mib = run_sampled(name, lambda: ctx.runner.run([_play(ctx, name, tasks)], label))
    return found[0], mib


def _raw_upload(ctx, path, mib):
    reps = max(4, ctx.sizes.upload_reps)
    noop, upload, curl = [], [], []
    auth = 'Authorization: ApiKey %s' % ctx.emulator.api_key
    for rep in range(reps):
        noop.append(_measured(ctx, 'noop#%d' % rep, _task(NOOP), 'cache-noop-%d' % rep))
        target = ctx.emulator.create('bench-cache-curl-%d' % rep)
        # Like for like: both sides upload to an extension that exists already, so the module's run is its lookup
        # (one list request) and the upload, as curl's is the upload alone.
        ctx.emulator.create('bench-cache-raw-%d' % rep)
        curl_cmd = ['curl', '-sS', '--fail', '-o', '/dev/null', '-T', path, '-H', auth, '-H', 'Content-Type: application/zip',
                    '-H', 'Expect:', ctx.emulator.item_url(target['id'])]
        for side in (('raw', 'curl') if rep % 2 == 0 else ('curl', 'raw')):  # alternating: order matters on a busy machine
            if side == 'curl':
                curl.append(run_timed(curl_cmd))
            else:
                upload.append(_measured(ctx, 'raw#%d' % rep, _task('bench-cache-raw-%d' % rep, file=path, upload_mode='raw'),
                                        'cache-raw-%d' % rep))
        for name in ('bench-cache-raw-%d' % rep, 'bench-cache-curl-%d' % rep):
            ctx.emulator.delete(ctx.emulator.find(name)['id'])
    expect_changed([p for p, _mib in noop], False, 'no-op')
    expect_changed([p for p, _mib in upload], True, 'raw uploads')
    label = _label(mib)
    runs = 'median of %d' % reps
    rows = [
        Row('7d', 'upload %s to an existing extension with upload_mode: raw, in-process, vs curl -T (application/zip)' % label, 'raw',
            median(p['seconds'] for p, _mib in upload), 'curl', median(t.wall for t in curl), op='<=', target=1.1, runs=runs),
        Row('7e', 'peak RSS of the worker: raw upload of %s vs a no-op task' % label, 'raw upload', max(m for _p, m in upload),
            'no-op', max(m for _p, m in noop), unit='MiB', kind=DELTA, op='<=', target=64, runs='max of %d' % reps),
    ]
    return rows, {'noop': noop, 'raw': upload, 'curl': [t._asdict() for t in curl]}


def run(ctx):
    quick = max(ctx.sizes.upload_sizes_mib) < UPLOAD_MIB
    sizes = tuple(ctx.sizes.upload_sizes_mib) if quick else SIZES_MIB
    url_mib = min(sizes) if quick else URL_MIB
    served = os.path.join(ctx.tmp, 'served')
    os.makedirs(served, exist_ok=True)
    files = {mib: big_file(os.path.join(ctx.tmp, 'cache-%d-mib.zip' % mib), mib * 1024 * 1024) for mib in sizes}
    url_file = big_file(os.path.join(served, 'cache-url-%d-mib.zip' % url_mib), url_mib * 1024 * 1024)
    ctx.emulator.reset()
    ctx.emulator.create(NOOP, description='metadata only')
    try:
        with emulator_process.file_server(served) as archive_url:
            rows, raw_unchanged = _unchanged(ctx, files, '%s/%s' % (archive_url, os.path.basename(url_file)), url_mib)
        upload_rows, raw_upload = _raw_upload(ctx, files[max(sizes)], max(sizes))
    finally:
        for path in list(files.values()) + [url_file]:
            os.unlink(path)
    ctx.emulator.reset()  # the emulator's disk: the stored copies go too
    return dict(rows=rows + upload_rows, raw={'unchanged': raw_unchanged, 'upload': raw_upload})
