"""Peak resident memory of Ansible's worker processes while plays run (one concern: the in-process rows).

A module that runs in-process has no process of its own to wrap (bench/peak_rss.py), so its memory is the
worker's: the process that ansible-playbook forks per task. A thread samples, every INTERVAL, the
high-water mark (VmHWM in /proc/<pid>/status) of every process two levels below this one (this process ->
ansible-playbook -> its workers) and keeps the largest. VmHWM is the kernel's own peak, so sampling only
has to see the worker once before it exits, not at its peak. The worker of an in-process no-op task lives for
a few tens of milliseconds, so the interval is short; the processes are found through the kernel's
/proc/<pid>/task/<tid>/children lists, a few small reads per sample, not a scan of all of /proc.
"""

import os
import threading

INTERVAL = 0.005  # seconds


def _parents():
    """{pid: ppid} of every process."""
    found = {}
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name, encoding='utf-8', errors='replace') as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except (OSError, IndexError):
            continue
        found[int(name)] = int(fields[1])
    return found


def _children(pid):
    """The pids of pid's child processes (every thread's), or None where the kernel has no children lists."""
    try:
        tasks = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return []
    found = []
    for tid in tasks:
        try:
            with open('/proc/%d/task/%s/children' % (pid, tid), encoding='ascii') as handle:
                found += [int(child) for child in handle.read().split()]
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            continue
    return found


def _grandchildren(me):
    """The processes two levels below `me`."""
    children = _children(me)
    if children is None:  # no children lists: the slower scan of every process
        parents = _parents()
        children = {pid for pid, ppid in parents.items() if ppid == me}
        return [pid for pid, ppid in parents.items() if ppid in children]
    return [grandchild for child in children for grandchild in (_children(child) or [])]


def _peak_kib(pid):
    try:
        with open('/proc/%d/status' % pid, encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class WorkerPeak:
    """`with WorkerPeak() as peak: ...`; then peak.mib is the largest worker VmHWM seen, peak.workers how many."""

    def __init__(self):
        self._stop = threading.Event()
        self._peaks = {}
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        me = os.getpid()
        while not self._stop.is_set():
            for pid in _grandchildren(me):
                peak = _peak_kib(pid)
                if peak:
                    self._peaks[pid] = max(self._peaks.get(pid, 0), peak)
            self._stop.wait(INTERVAL)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def mib(self):
        return max(self._peaks.values() or [0]) / 1024.0

    @property
    def workers(self):
        return len(self._peaks)


ATTEMPTS = 3


def run_sampled(name, run):
    """(run()'s result, the worker peak in MiB): run again, up to ATTEMPTS times, while no worker was seen.

    A no-op task's worker can live for less than one sampling interval; a run in which the sampler missed it
    measured nothing, so it is repeated rather than recorded as 0 MiB.
    """
    for _attempt in range(ATTEMPTS):
        with WorkerPeak() as peak:
            found = run()
        if peak.workers:
            return found, peak.mib
    raise RuntimeError('no worker process of %s was seen by the memory sampler in %d runs' % (name, ATTEMPTS))
