"""The bulk chart (time of the play vs number of extensions, log-log), drawn with matplotlib.

`bench/run.py` calls `bulk_chart` with the series it measured. Run on its own, this file redraws
docs/benchmarks-bulk.png from the bulk table in docs/benchmarks.md, so a change to the drawing needs
no new measurement:

    .venv/bin/python bench/chart.py [--markdown docs/benchmarks.md] [--out docs/benchmarks-bulk.png]
"""

import argparse
import os
import re

import matplotlib

matplotlib.use('Agg')  # files only, no display
# pylint: disable=wrong-import-position
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKDOWN = os.path.join(REPO, 'docs', 'benchmarks.md')
CHART = os.path.join(REPO, 'docs', 'benchmarks-bulk.png')
BULK_HEADING = '## Bulk: time vs number of extensions'
TITLE = 'Bulk: time of the play vs number of extensions'
NOTE = 'Medians; the loop is measured at the smaller sizes only (not extrapolated).'


def _seconds_text(value, _position=None):
    """Tick labels in the units a reader expects: 200 ms, 1 s, 20 s."""
    return '%g ms' % (value * 1000) if value < 1 else '%g s' % value


def bulk_chart(path, series):
    """Save a log-log line chart of `series` ({name: {n: seconds}}) to `path`: a marker per measured n."""
    fig, axes = plt.subplots(figsize=(9.6, 6.0), dpi=100, layout='constrained')
    # Same kind of run, same colour; unchanged solid, new dashed.
    styles = {}
    for index, name in enumerate(series):
        kind = name.split(',')[0]
        styles.setdefault(kind, 'C%d' % len(styles))
        linestyle = '--' if name.rstrip().endswith('new') else '-'
        marker = 'o' if linestyle == '-' else 's'
        points = sorted(series[name].items())
        axes.plot([n for n, _s in points], [s for _n, s in points], color=styles[kind], linestyle=linestyle,
                  marker=marker, linewidth=2, markersize=6, label=name, zorder=3 + index)
    axes.set_xscale('log')
    axes.set_yscale('log')
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: '%g' % value))
    axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axes.yaxis.set_major_formatter(FuncFormatter(_seconds_text))
    axes.yaxis.set_minor_formatter(FuncFormatter(lambda _value, _pos: ''))
    axes.set_xticks(sorted({n for points in series.values() for n in points}))
    axes.grid(True, which='major', color='0.85', linewidth=0.8)
    axes.grid(True, which='minor', axis='y', color='0.93', linewidth=0.6)
    axes.set_xlabel('number of extensions (N)')
    axes.set_ylabel('time of the play (log scale)')
    fig.suptitle(TITLE, fontsize=14, fontweight='bold')
    axes.set_title(NOTE, fontsize=9, color='0.35')
    axes.legend(loc='upper left', frameon=True, framealpha=0.95, fontsize=10)
    for side in ('top', 'right'):
        axes.spines[side].set_visible(False)
    fig.savefig(path, metadata={'Software': None})  # no matplotlib version in the file: reruns do not differ for it
    plt.close(fig)
    return path


def _seconds(cell):
    """'555 ms' / '4.32 s' (as bench/report.py writes them) in seconds; None for 'not measured'."""
    match = re.fullmatch(r'([0-9.]+) (ms|s)', cell.strip())
    if not match:
        return None
    return float(match.group(1)) / (1000 if match.group(2) == 'ms' else 1)


def bulk_series_from_markdown(path):
    """The series of the bulk table in docs/benchmarks.md: {series name: {n: seconds}}."""
    with open(path, encoding='utf-8') as handle:
        lines = handle.read().split(BULK_HEADING, 1)[1].strip().splitlines()
    table = [line for line in lines[:lines.index('')] if line.startswith('|')] if '' in lines else lines
    names = [cell.strip() for cell in table[0].strip('|').split('|')][1:]
    series = {name: {} for name in names}
    for line in table[2:]:
        cells = [cell.strip() for cell in line.strip('|').split('|')]
        for name, cell in zip(names, cells[1:]):
            value = _seconds(cell)
            if value is not None:
                series[name][int(cells[0])] = value
    return series


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--markdown', default=MARKDOWN, help='the benchmarks page to read the bulk table from')
    parser.add_argument('--out', default=CHART, help='the PNG to write')
    args = parser.parse_args()
    print('wrote %s' % bulk_chart(args.out, bulk_series_from_markdown(args.markdown)))


if __name__ == '__main__':
    main()
