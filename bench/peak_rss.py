"""Python interpreter wrapper that records the peak resident memory of the process it runs.

    peak_rss.py LOGFILE [python arguments...]

Ansible runs a module as `<ansible_python_interpreter> AnsiballZ_<module>.py`; with the interpreter set to
a shim that execs this file (bench/measure.py writes it), the module runs in a child of this process,
unchanged, and its peak RSS (`getrusage(RUSAGE_CHILDREN).ru_maxrss`, which counts the child only, not this
wrapper) is appended to LOGFILE as one JSON line, with its wall and CPU seconds. stdin, stdout, stderr and the exit code pass through.
"""

import json
import resource
import subprocess
import sys
import time


def main():
    log, args = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    code = subprocess.call([sys.executable] + args)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, 'a', encoding='utf-8') as handle:
        handle.write(json.dumps({'maxrss_kib': usage.ru_maxrss, 'seconds': round(seconds, 3),
                                 'cpu_seconds': round(usage.ru_utime + usage.ru_stime, 3), 'rc': code,
                                 'script': args[0].rsplit('/', 1)[-1] if args else None}) + '\n')
    return code


if __name__ == '__main__':
    sys.exit(main())
