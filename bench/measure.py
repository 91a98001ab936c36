"""Timing, peak-RSS and machine-fact helpers for the benchmarks (one concern: measuring)."""

import collections
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import requests
from ansible.release import __version__ as ansible_version

MIB = 1024 * 1024
Timing = collections.namedtuple('Timing', 'wall cpu')        # seconds
Process = collections.namedtuple('Process', 'peak_mib cpu')  # a module process: peak RSS, CPU seconds


def median(values):
    values = list(values)
    if not values:
        raise ValueError('no measurement to take the median of')
    return statistics.median(values)


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(cmd, **kwargs):
    """Run a command to completion; return Timing(wall seconds, CPU seconds of it and its children).

    A non-zero exit is an error.
    """
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=False, **kwargs)
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if proc.returncode != 0:
        raise RuntimeError('%s exited %d: %s' % (cmd if isinstance(cmd, str) else ' '.join(cmd), proc.returncode,
                                                 proc.stderr.decode(errors='replace')[-2000:]))
    return Timing(seconds, cpu)


def peak_rss_shim(directory, label, python=sys.executable):
    """An executable that Ansible can use as ansible_python_interpreter: it runs the module under
    bench/peak_rss.py, which logs the module process's peak RSS to `<directory>/<label>.rss`.

    The shim is generated (not checked in) so that no file of the repository needs an exec bit.
    """
    os.makedirs(directory, exist_ok=True)
    shim = os.path.join(directory, label + '.sh')
    wrapper = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'peak_rss.py')
    log = os.path.join(directory, label + '.rss')
    with open(shim, 'w', encoding='utf-8') as handle:
        handle.write('#!/bin/sh\nexec %s %s %s "$@"\n' % (python, wrapper, log))
    os.chmod(shim, 0o755)
    return shim, log


def read_process_log(log):
    """[Process(peak RSS in MiB, CPU seconds)] of every process that peak_rss.py logged into `log`, in order."""
    with open(log, encoding='utf-8') as handle:
        entries = [json.loads(line) for line in handle if line.strip()]
    return [Process(entry['maxrss_kib'] / 1024.0, entry['cpu_seconds']) for entry in entries]


def _cpu_model():
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def _memory_gib():
    try:
        return os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / (1024.0 ** 3)
    except (ValueError, OSError):
        return None


def machine_facts():
    """What a reader needs to judge the numbers: when, on what, with which versions."""
    memory = _memory_gib()
    try:
        load = '%.2f' % os.getloadavg()[0]
    except OSError:
        load = 'unknown'
    return {
        'date': datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z'),
        'cores': os.cpu_count(),
        'cpu': _cpu_model(),
        'memory': '%.0f GiB' % memory if memory else 'unknown',
        'os': '%s %s' % (platform.system(), platform.release()),
        'python': platform.python_version(),
        'ansible-core': ansible_version,
        'requests': requests.__version__,
        'load average at start': load,
    }
