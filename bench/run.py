"""`make bench`: measure ece.platform against the local ECE emulator and report ratios.

Starts the emulator (plain HTTP, an API key), runs the scenarios (bench/scenarios_*.py), prints a table in
which every row compares two things measured in this run on this machine, and writes the table, the
machine facts and a chart of the bulk scenario to docs/benchmarks.md and docs/benchmarks-bulk.png.
Exits non-zero only when something failed to run, never because a target was missed.

    .venv/bin/python bench/run.py [--quick] [--only noop,converge,bulk,upload,in-process,fleet,cache] [--no-docs] [--raw FILE]

BENCH_COLLECTIONS_PATH=<dir holding ansible_collections/ece/platform> measures that copy of the collection
instead of this checkout (docs are then not written), e.g. to try a fix before it is committed.
"""

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
import traceback

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(REPO, 'tools'))

# pylint: disable=wrong-import-position
import chart  # noqa: E402
import emulator_process  # noqa: E402  (tools/emulator_process.py)
import notes  # noqa: E402
import report  # noqa: E402
import scenarios_bulk  # noqa: E402
import scenarios_cache  # noqa: E402
import scenarios_converge  # noqa: E402
import scenarios_fleet  # noqa: E402
import scenarios_in_process  # noqa: E402
import scenarios_noop  # noqa: E402
import scenarios_upload  # noqa: E402
from context import FULL, QUICK, Context  # noqa: E402
from ece_http import Emulator, keepalive_latency  # noqa: E402
from measure import machine_facts  # noqa: E402
from playbook import Runner  # noqa: E402

SCENARIOS = {'noop': scenarios_noop, 'converge': scenarios_converge, 'bulk': scenarios_bulk, 'upload': scenarios_upload,
             'in-process': scenarios_in_process, 'fleet': scenarios_fleet,
             'cache': scenarios_cache}
DOCS = os.path.join(REPO, 'docs')
MARKDOWN = os.path.join(DOCS, 'benchmarks.md')
CHART = chart.CHART
KEEPALIVE_LIMIT = 0.01  # seconds


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--quick', action='store_true', help='small sizes, for trying the harness (docs are not written)')
    parser.add_argument('--only', help='comma-separated scenarios to run: %s' % ','.join(SCENARIOS))
    parser.add_argument('--no-docs', action='store_true', help='print the table only')
    parser.add_argument('--raw', help='also write every measurement as JSON to this file')
    args = parser.parse_args(argv)
    args.selected = args.only.split(',') if args.only else list(SCENARIOS)
    unknown = [name for name in args.selected if name not in SCENARIOS]
    if unknown:
        parser.error('unknown scenario(s): %s' % ', '.join(unknown))
    return args


def check_emulator(host, api_key, facts):
    """A request on a reused connection must take about a millisecond, as on a real server.

    The emulator once held every response after the first on a keep-alive connection for a delayed
    ACK (40 ms, fixed with TCP_NODELAY); that would make the bulk rows measure the emulator.
    """
    latency = keepalive_latency(host, api_key)
    facts['emulator: GET on a keep-alive connection'] = '%.2f ms (median of 20)' % (latency * 1000)
    if latency > KEEPALIVE_LIMIT:
        print('WARNING: the emulator takes %.0f ms per request on a keep-alive connection (expected about 1 ms): '
              'rows 2 and 3 measure the emulator, not the collection.' % (latency * 1000), file=sys.stderr)


def measure_all(args, facts):
    """Run the selected scenarios against one emulator; return (rows, bulk series, raw measurements)."""
    api_key = secrets.token_hex(16)
    rows, series, raw = [], {}, {}
    with tempfile.TemporaryDirectory(prefix='ece-bench-') as tmp, emulator_process.emulator(api_key=api_key) as host:
        check_emulator(host, api_key, facts)
        ctx = Context(runner=Runner(host, api_key, tmp), emulator=Emulator(host, api_key), tmp=tmp,
                      sizes=QUICK if args.quick else FULL)
        for name in args.selected:
            started = time.perf_counter()
            print('== %s ...' % name, end=' ', flush=True)
            outcome = SCENARIOS[name].run(ctx)
            print('%.0f s' % (time.perf_counter() - started), flush=True)
            rows += outcome['rows']
            series.update(outcome.get('series', {}))
            raw[name] = outcome.get('raw')
    return rows, series, raw


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    facts = machine_facts()
    print('ece.platform benchmarks, %s: %s cores, Python %s, ansible-core %s' % (
        facts['date'], facts['cores'], facts['python'], facts['ansible-core']), flush=True)
    try:
        rows, series, raw = measure_all(args, facts)
    except Exception:  # pylint: disable=broad-exception-caught
        traceback.print_exc()
        print('benchmark FAILED to run', file=sys.stderr)
        return 1
    runtime = time.perf_counter() - started
    facts['load average at end'] = '%.2f' % os.getloadavg()[0]
    print()
    print(report.text_table(rows))
    met = [r.met for r in rows if r.met is not None]
    print('\n%d of %d targets met; measured in %.0f s.' % (sum(met), len(met), runtime))
    if args.raw:
        with open(args.raw, 'w', encoding='utf-8') as handle:
            json.dump(dict(facts=facts, runtime=runtime, raw=raw, rows=[r.__dict__ for r in rows]), handle, indent=1)
    if not (args.quick or args.no_docs or args.only or os.environ.get('BENCH_COLLECTIONS_PATH')):
        charts = []
        if series:
            chart.bulk_chart(CHART, series)
            charts.append(('Bulk: time vs N', CHART))
        report.write_markdown(MARKDOWN, facts, rows, series, charts, notes.SECTIONS, runtime)
        print('wrote %s%s' % (os.path.relpath(MARKDOWN, REPO), ''.join(', ' + os.path.relpath(chart[1], REPO) for chart in charts)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
