"""Fixed text of docs/benchmarks.md: how the rows are measured, why a missed target is missed, and findings.

The tables are generated on every run; this text is not. The numbers quoted here come from the
investigation that went with the benchmarks (cProfile, py-spy and getrusage on the same machine, 2026-11-28).
"""

METHOD = r"""
- **Server.** The ECE emulator (`tests/emulator/ece_emulator.py`, plain HTTP, an API key), started with
  `tools/emulator_process.py`. Modules run on `localhost` (local connection, the `.venv` Python), with the
  connection in `ECE_HOST` / `ECE_API_KEY`. Before measuring, the run checks that a request on a reused
  connection takes about a millisecond (*Machine* above): the emulator used to hold each one for a
  delayed ACK (40 ms), which would have made rows 2 and 3 measure the emulator.
- **What a time is.** Every measured thing is one play of a playbook that `bench/playbook.py` generates;
  the callback `bench/callback_plugins/bench_timer.py` takes each play's wall time with `time.perf_counter`
  in the ansible-playbook process. So ansible-playbook's own start-up (1.5 to 2 s here) is in no
  measurement, for both sides alike, while everything a task costs (templating, the module's transfer, its
  Python start-up, its requests) is. Plays that reset the emulator or warm the AnsiballZ cache are not
  measured. Repetitions of the two sides are interleaved and the median is shown (column *runs*). The
  `curl` / `sha256sum` sides are timed with `time.perf_counter` around the command.
- **Row 1.** Loops of 10 items over one task, five loops of each (ping: two), interleaved:
  `ece.platform.extension` on an existing, unchanged, metadata-only extension (it lists the extensions,
  finds it by name, sends no write); `ansible.builtin.uri` GET of the same endpoint
  (`/api/v1/deployments/extensions`) with the same key; `ansible.builtin.ping`. Per item = play time / 10.
- **Row 2.** 20 extensions, each a small zip (`file:`). *The uri way* is `bench/playbooks/uri_converge.yml`:
  list once, index by name, POST the missing ones, read the local sizes with one `ansible.builtin.find`
  (cheaper than a `stat` per file; row 2a-stat shows that common variant, `uri_sizes_stat.yml`), PUT each
  archive whose size differs. It compares sizes only; the role
  also compares the SHA-256 of each stored copy of equal size. *The role* is `ece.platform.extensions`
  (argument validation, one `extension_set` run, a report task). *create* starts from an empty server;
  *no-op* runs with nothing to do, the two ways alternating (ABBA) on the same server state.
- **Row 3.** The role against a loop of `ece.platform.extension` over the same items (small zips), from an
  empty server (*new*: create + upload each) and again (*unchanged*: same size, so both download the
  stored copy and compare SHA-256). The loop is measured at 10 and 100 (not at 500: that alone would take
  3 to 5 minutes here; nothing is extrapolated), the role at 10, 100 and 500.
- **Row 4.** A 1 GiB sparse file that starts with a zip header (`PK\x03\x04`) and 4 KiB of random bytes.
  *module*: the play with one `ece.platform.extension` task, `file:` to a new extension (its lookup, POST
  and upload, and its start-up of 0.3 to 0.4 s). *curl*: `curl -T` (a raw PUT) of the same file to an
  existing extension at the same endpoint. The module sends `multipart/form-data`, as ECE expects; the
  emulator takes both.
- **Memory (4b, 4c, 5b).** The plays set `ansible_python_interpreter` to a generated shim that runs the
  module under `bench/peak_rss.py`: the module runs unchanged as its child, and
  `getrusage(RUSAGE_CHILDREN).ru_maxrss` after it exits is the module process's peak RSS. Baseline = the
  same module, same wrapper, on a no-op run. Target: at most 64 MiB above it, for 64 MiB and 1 GiB alike.
- **Row 5.** The same task again on the 1 GiB extension: same size, so the module streams the stored copy
  from `file_metadata.url` into SHA-256 while a thread hashes the local file. *shell*:
  `(curl URL | sha256sum) & sha256sum FILE; wait`, concurrently too.
- **CPU rows (`-cpu`).** CPU seconds of the module process (from the same wrapper) and of the shell
  commands: for information, because they change less than wall times when other work shares the machine.
- **Noise.** The machine was shared with other test runs (see the load averages above). Interleaving
  and medians keep the ratios usable; absolute times are not comparable between runs.
"""

UPLOAD_CPU = r"""
The upload streams (flat memory, rows 4b and 4c); what it costs beyond curl is CPU in the module process,
which on a 2-core machine competes with the emulator's side of the transfer. Two costs found with
cProfile on a 1 GiB upload are fixed since: urllib3 read the body in 16 KiB blocks and every
`MultipartEncoder.read()` cost tens of microseconds of bookkeeping (65,538 calls, 5.3 s of 9.0 s under the
profiler; fixed in 1711a38 by a 1 MiB `blocksize`), and the whole archive was hashed for a diff that was
then dropped (0.9 s; fixed in 58d71e1).

What is left is small. The module process of a 1 GiB upload (the kept AnsiballZ file run directly, four
runs each, quiet machine) needs 0.45 s user + 0.90 s sys with 269,000 minor page faults: each 1 MiB
block is a fresh buffer above glibc's mmap threshold, so every 4 KiB of the archive faults a page in
(py-spy: `CustomBytesIO.append` is the top frame). With a 64 KiB `blocksize` it needs 0.63 s user + 0.51 s
sys with 5,800 faults: 0.2 s less CPU per GiB, the same wall time here (1.45 s either way). A multipart body
of its own that reads into one reused buffer would need about what curl needs (in a bare `requests`
test: 0.05 s user, 0.35 s sys per GiB, against 1.5 s + 1.0 s for 16 KiB blocks) and would drop the
requests-toolbelt dependency; worth it only if uploads of many GiB on busy machines matter.
"""

MISSES = {
    '6a': r"""
An in-process loop item costs what any loop item costs Ansible (row 6b: close to `debug`, which runs no
module at all) plus the module's own run of about 11 ms (*In-process: where the time of a task goes*). The
target asks for a tenth of a `uri` item, i.e. for `uri`'s module process to cost ten times Ansible's
per-item floor; when other work slows Ansible's own per-item work more than the module processes, the floor
alone can exceed a tenth of `uri`.
""",
    '6b': r"""
The difference to `debug` is the module's own run (argument validation, one GET, the module's temporary
directory, JSON of the result: about 11 ms, see *In-process: where the time of a task goes*) and the parsing
of its result, which `debug` does not have.
""",
    '6e': r"""
Of the loop's 91 ms per item, 46 ms is Ansible's own work for a loop item (the `debug` item of row 6b,
measured in the same run), which no module can avoid; the other 45 ms is the module's run: two requests (the
list, and the download of the stored copy, at the emulator's 13.5 ms per request in this run, see
*Machine*), the SHA-256 of both copies and the result. The role does the per-item part inside one module
run, 29 ms per extension here, mostly its one download. So the loop stays within 3x of the role only while
Ansible's per-item floor is below about twice the role's per-extension cost; on this loaded machine (load
average 16 to 17 on 2 cores) it was just above (3.14x). Row 6f, with the same floor, met it (2.93x).
""",
    '6f': r"""
As for 6e: per item, the loop lists the extensions again before its POST and PUT; the role lists once.
""",
    '6g': r"""
In-process the upload is the module's own streamed transfer (rows 4a and 4a-cpu) without the module process's
start-up, but with the list and the create request of a new extension; what it costs beyond curl is those
requests, the worker process of the task and CPU for the multipart body, which compete with the emulator's side
of the transfer on two cores. As for 4a, they weigh more the shorter the upload: about 3 s per GiB on a quiet
machine here.
""",
    '4a': r"""
See *Upload: where the CPU goes* below. The module's side is a whole task on a new extension: its process's
start-up (0.3 to 0.4 s), the list and the create request, then a multipart transfer that needs more CPU than
curl's (compare the `4a-cpu` row); curl only sends the file. Those fixed costs weigh with the upload's length:
on a quiet machine, where a 1 GiB upload to the emulator takes about 3 s, they are 15 to 50 % of it (1.49x in
the run of 2026-12-06); in the earlier runs on a loaded machine, where it took 15 to 25 s, the module was at
0.74x to 1.15x of curl. Row 7d measures the transfer alone more closely (an existing extension, raw body).
""",
    '1a': r"""
Both sides are one module run per item, and the module processes cost the same: run directly, the kept
AnsiballZ files of `ece.platform.extension` and `ansible.builtin.uri` took 0.30 s of CPU each (median of 15).
Their imports differ (`requests` about 50 ms for ours; `ansible.module_utils.urls` about 60 ms for uri,
including `cryptography.x509`), not their sum. A miss here is noise from other load on the machine;
more loops (`Sizes.noop_reps` in `bench/context.py`) settle it.
""",
    '2a': r"""
The uri way here is the cheapest one: it reads the local sizes with one `find` instead of a `stat` per file
(row 2a-stat shows the common `stat` loop): two module runs and a few controller tasks. The role is one module
run (row 2a-module: the `extension_set` task alone, as a playbook may call it, meets the target) plus its
controller tasks, and those grew with 0.2.0 and 0.3.0: the checks of its input (unknown role variables, items
that are not dicts, the items of `ece_deployment_extensions`, one kind of credentials), the bookkeeping of its
phases, the report, and the include of the deployments part. Timed task by task with a callback on a quiet
machine (2026-12-06, module processes, 20 unchanged extensions): `extension_set` 0.9 to 1.4 s, the argument
spec 0.07 s, and eleven controller tasks of 0.03 to 0.10 s each, about 0.8 s together. Before that run the
deletion phase (five tasks) was skipped task by task on every run without deletions; it is now one skipped
include (0.07 s), which saved about 0.4 s per run. The remaining controller tasks are what the role exists for
(input checked before any request, a report per extension), so the role stays under 2x of the cheapest uri way;
it also does more for its time, comparing the content (SHA-256) of every stored copy of equal size where the uri
way compares sizes only.
""",
    '3a': r"""
The loop costs one module run per item (0.35 to 0.5 s each here); the role one module run in total plus a
few milliseconds per item. A miss would mean the per-item cost inside `extension_set` grew: look at the
role's time at 500 in the table above (it should stay within a few seconds).
""",
    '3b': r"""
As for 3a: one module run per item against one for the list; creating costs the role two requests per
item (POST, PUT), a few milliseconds each against the emulator.
""",
    '7d': r"""
Outside Ansible the raw upload is as fast as curl: `ExtensionsApi.upload` with `mode='raw'` against the same
emulator on a quiet machine (2026-12-06, 1 GiB, three rounds alternating with `curl -T`) took 2.22 to 2.31 s of
wall time and 0.49 to 0.52 s of CPU after the first round (2.99 s, which includes opening the connection),
against 2.38 to 2.85 s and 0.50 s for curl. What the row adds is the play around it: the worker process, the
extension list read before the upload, and ansible-playbook's own process, which runs beside the worker while it
uploads, all on two cores next to the Python emulator, which needs about 2.7 s of CPU to receive, hash and store
each GiB. With a 1 GiB upload taking about 3 s here, a few tenths of a second of that is 10 %; a bigger archive or
a server on another machine makes it smaller. Single 1 GiB rounds also scatter by about 15 % here: in the same run the
multipart upload in-process (row 6g) came to 1.03x of curl, and in four back-to-back plays of each outside the
bench the raw upload's whole `ansible-playbook` run took 3.9 to 4.9 s and 1.9 to 2.6 s of CPU, the multipart one
4.4 to 5.3 s and 2.9 to 3.5 s of CPU.
""",
    '5a': r"""
The module downloads the stored copy and hashes it while a thread hashes the local file, with OpenSSL's
SHA-256 (SHA-NI on this CPU), faster than coreutils' `sha256sum`. A miss would come from the download side
or machine load; compare the `5a-cpu` row.
""",
}

IN_PROCESS_METHOD = r"""
Rows 1 to 5 run every module in its own process, as before the in-process path existed (`bench/playbook.py`
sets `ECE_IN_PROCESS=false`); the plays of row 6 (`bench/scenarios_in_process.py`) set `ece_in_process: true`,
the default for a task on the controller, so each of its rows compares the in-process path with what it
replaces.
- **6a to 6d.** Loops of 10 items, five of each, interleaved: the unchanged metadata-only
  `ece.platform.extension` task of row 1 in-process, `uri` GET of the same endpoint, `debug` (no module
  at all, the floor of any task), `ping`, and the same extension task as a module process. Per item = play
  time / 10. **6b-task** writes the task 10 times in a row instead of a loop: every task then pays for its
  own worker process (a fork of ansible-playbook), which a loop pays once.
- **6e, 6f.** A loop of 100 `ece.platform.extension` items in-process against the role over the same 100
  small zips, from an empty server (*new*) and again (*unchanged*), both in-process, alternating.
- **6g to 6i.** Each play runs alone in its own ansible-playbook while `bench/worker_rss.py` samples the
  high-water mark (VmHWM) of ansible-playbook's worker processes, where an in-process module runs. 6g: 1 GiB
  uploaded to a new extension in-process vs `curl -T`; 6h: the worker's peak RSS for that upload vs for a no-op
  task; 6i: a loop of 20 uploads (`force_upload`, 16 MiB each) vs one: memory must not grow from item to item.
"""

IN_PROCESS_COST = r"""
Measured on the same machine while writing the in-process path (2026-12-01, load average 10 to 18 from other
work): the module's own run in-process, `ece.platform.extension` on an unchanged extension, takes about 11 ms
(50 runs of `run_main` directly; under cProfile: 46 % the one GET of the list, 19 % removing the module's
temporary directory, which `AnsibleModule.tmpdir` creates for every run, the rest argument validation and
JSON). Everything else of a task is Ansible's own per-task and per-item work, the same for `debug`: forking
the worker, templating, the callbacks. A first version imported the module and `requests` inside each
worker: 550 to 850 ms per task against 100 ms for `debug`. Since the action plugin imports the module when
its class is loaded in ansible-playbook's main process, every worker inherits it: 150 ms per task against
110 ms for `debug`, and within a loop a few milliseconds more than a `debug` item.
"""

FINDINGS = [
    ('Upload: where the CPU goes', UPLOAD_CPU),
    ('In-process: where the time of a task goes', IN_PROCESS_COST),
    ('Finding: uri cannot upload an archive as form-multipart', r"""
`ansible.builtin.uri` with `body_format: form-multipart` sends file parts base64-encoded
(`Content-Transfer-Encoding: base64`); the emulator, like most multipart parsers, stores the part's bytes as
sent, so the stored file is base64 text, not a zip, and the upload is refused (HTTP 400,
`extensions.request_execution_failed`). The uri way here therefore sends the raw file (`src:`), which the
emulator accepts; whether ECE itself accepts a raw body is not known here. A reason more for the module.
"""),
]

CACHE_METHOD = r"""
- **Row 7a to 7c.** Plays of one `ece.platform.extension` task each, in-process, interleaved (three rounds), with the
  digest cache in the run's temp dir (`XDG_CACHE_HOME`): an unchanged metadata-only extension (B of every row), an
  unchanged extension whose `file` is a 256 MiB and a 1 GiB zip, and an unchanged extension from a `download_url` of
  256 MiB served by `tests/emulator/archive_server.py` (ETag, Last-Modified, 304). Each was converged once before
  (the upload, or the first comparison, which reads the URL and the stored copy once), as in a playbook's second
  run. The run fails if the emulator's download log shows a download of a stored archive during the measured plays.
- **Row 7d, 7e.** 1 GiB uploaded with `upload_mode: raw`, in-process, vs `curl -T` with `Content-Type:
  application/zip` and `Expect:` (as Elastic's guide does), alternating, both to an extension created beforehand
  (so the module's run is one list request and the upload, curl's the upload alone); the worker's peak RSS as in
  row 6h. The archives are sparse zip files (one stored entry whose data is a hole), so reading them costs CPU, not
  disk I/O.
"""

FLEET_METHOD = r"""
- **Row 8a.** `ansible-playbook ece.platform.rollout` with the inventory plugin as its inventory, modules
  in-process, attaching one bundle. The emulator's plans take 10 s (`POST /_emulator/plans`). *t1* is the rollout
  over one deployment; *rollout N* the same rollout over 40 deployments in one batch (`ece_rollout_serial: 100%`) with `-f 20`.
  With perfect parallelism the 40 take ceil(40 / 20) x t1 (*ideal*); the ratio is what batching, Ansible's fork
  scheduling and 20 workers polling their plans at once on two cores cost on top. Whole runs are timed
  (start-up included on both sides), one run each.
- **Row 8b.** `ansible-inventory --list` of 1,000 deployments through `ece.platform.deployments` (no cache, pages
  of 500) against a static YAML inventory of the same 1,000 host names with comparable host vars (version and
  tags), alternating, whole runs timed.
"""

SECTIONS = {'method': [('How it is measured', METHOD), ('How row 6 (in-process) is measured', IN_PROCESS_METHOD),
                       ('How row 7 (digest cache, raw upload) is measured', CACHE_METHOD),
                       ('How row 8 (the fleet) is measured', FLEET_METHOD)],
            'misses': MISSES, 'findings': FINDINGS}
