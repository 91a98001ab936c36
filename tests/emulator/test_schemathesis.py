"""Property-based requests from Elastic's Swagger files (schemathesis), sent to the emulator.

The Swagger subsets are read at test time from shared/ece-api/ next to the checkout (never copied into
the repository; see swagger_contract.py for where they are looked for, and for why a missing one fails
under CI). For every operation of each file, schemathesis generates requests; about half of them get
the ids of real, seeded objects (extensions with and without an archive, a deployment and its
Elasticsearch resource), so the operations are exercised past "not found". Each reply must:

* not be a server error (500), unless the Swagger declares it for that operation;
* carry a status the Swagger declares, or else be a client error (4xx) that is a well-formed
  BasicFailedReply with `x-cloud-error-codes` (ECE answers undeclared 4xx too: validation, auth);
* match the declared schema when it is a success (the known `deployments: null` allowed, see test_contract.py).

Bounded: a few examples per operation (derandomized, so a run is repeatable), well under a minute.
Operations the emulator does not implement (the router answers `root.resource_not_found` or 405) are
skipped and named; the fleet subset's operations are added to the emulator by other work, and run here
as soon as they answer.
"""

import json

import pytest
import requests

from conftest import API_KEY
from swagger_contract import Contract, require_shared_file
from test_contract import _without_null_deployments

schemathesis = pytest.importorskip('schemathesis', reason='schemathesis (requirements-dev.txt) generates the requests')
hypothesis = pytest.importorskip('hypothesis')
st = pytest.importorskip('hypothesis.strategies')

EXAMPLES = 6  # per operation: the three files have 26 operations, and the deployment bodies are large
HEADERS = {'Authorization': 'ApiKey ' + API_KEY}
NOT_IMPLEMENTED_CODES = ('root.resource_not_found', 'root.method_not_allowed')
# Known emulator findings, {(method, path): what and where it gets fixed}: while one is open, a 500 it
# causes makes the test an expected failure instead of a failure (anything else still fails it).
PROBE_IDS = {'extension_id': '1', 'deployment_id': '0' * 32, 'ref_id': 'main-elasticsearch', 'resource_kind': 'elasticsearch',
             'stateless_resource_kind': 'kibana', 'attempt_id': 'attempt-0000000001', 'template_id': 'no-such-template',
             'version': '0.0.1'}
KNOWN_FINDINGS = {}  # none open: the 500 on a plan without elasticsearch.version was fixed by the upgrade work


def _seed(emu, client, make_zip):
    """Real objects for the generated requests to hit: {path parameter: [values]}."""
    emu.reset()
    with_archive = client.create(name='seeded-bundle', version='8.*', extension_type='bundle')
    client.upload(with_archive['id'], make_zip())
    without_archive = client.create(name='seeded-plugin', version='8.15.1', extension_type='plugin')
    reply = requests.post(emu.control('/deployments'), json={'name': 'seeded', 'elasticsearch_version': '8.15.1'}, timeout=30)
    assert reply.status_code == 201, reply.text
    deployment = reply.json()
    return {
        'extension_id': [with_archive['id'], without_archive['id']],
        'deployment_id': [deployment['id']],
        'ref_id': ['main-elasticsearch', '_main'],
        'resource_kind': ['elasticsearch'],
        'stateless_resource_kind': ['kibana'],
        'attempt_id': ['attempt-0000000001'],
        'version': ['8.15.1'],
    }


def _with_real_ids(strategy, seeds):
    """Cases of `strategy`, about half of them with their path parameters replaced by seeded values."""

    def seeded(case, picks):
        for name, index in picks.items():
            case.path_parameters[name] = seeds[name][index % len(seeds[name])]
        return case

    def maybe(case):
        names = [name for name in (case.path_parameters or {}) if name in seeds]
        if not names:
            return st.just(case)
        picks = st.fixed_dictionaries({name: st.integers(0, 3) for name in names})
        return st.one_of(st.just(case), picks.map(lambda chosen: seeded(case, chosen)))

    return strategy.flatmap(maybe)


def _problems(contract, operation, reply):
    """What is wrong with `reply` to a request of `operation`, as a list of sentences ([] when nothing)."""
    responses = contract.doc['paths'][operation.path][operation.method.lower()]['responses']
    declared = responses.get(str(reply.status_code))
    headers = {name.lower(): value[0] if isinstance(value, list) else value for name, value in reply.headers.items()}
    if headers.get('content-type') != 'application/json':
        return ['Content-Type %r' % headers.get('content-type')]
    try:
        body = reply.json()
    except ValueError:
        return ['a body that is not JSON']
    problems = []
    if declared is None and reply.status_code < 400 or reply.status_code >= 500 and declared is None:
        problems.append('status %d, which the Swagger does not declare (%s)' % (reply.status_code, ', '.join(sorted(responses))))
    schema = declared.get('schema') if declared is not None and reply.status_code < 400 else Contract.definition('BasicFailedReply')
    if schema is not None:
        try:
            contract.validate(_without_null_deployments(body), schema)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            problems.append('a body that does not match the Swagger: %s' % str(exc).splitlines()[0])
    if reply.status_code >= 400 and isinstance(body, dict) and isinstance(body.get('errors'), list):
        codes = ','.join(sorted({error.get('code') for error in body['errors'] if isinstance(error, dict)}))
        if headers.get('x-cloud-error-codes') != codes:
            problems.append('x-cloud-error-codes %r for the codes %r' % (headers.get('x-cloud-error-codes'), codes))
    return problems


def _implemented(operation, emu):
    """False when the emulator's router does not know the operation (so there is nothing to test).

    Probed with ids nothing has, so that the probe changes nothing: a known operation then answers its
    declared "not found" (or another declared status), an unknown one the router's own 404 or 405.
    """
    path = operation.path
    for name, value in PROBE_IDS.items():
        path = path.replace('{%s}' % name, value)
    reply = requests.request(operation.method.upper(), emu.url + '/api/v1' + path, headers=HEADERS, json={}, timeout=30)
    responses = operation.definition.raw['responses']
    try:
        codes = [error.get('code') for error in reply.json().get('errors', [])]
    except (ValueError, AttributeError):
        codes = []
    if reply.status_code == 405 or any(code in NOT_IMPLEMENTED_CODES for code in codes):
        return False
    return not (reply.status_code == 404 and '404' not in responses)


def _send_examples(operation, label, seeds, emu, session, contract, problems, known):  # pylint: disable=too-many-arguments
    """Send EXAMPLES generated requests of `operation`; add what is wrong to `problems`, known findings to `known`."""
    key = (operation.method.upper(), operation.path)

    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
                         suppress_health_check=list(hypothesis.HealthCheck), phases=[hypothesis.Phase.generate])
    @hypothesis.given(case=_with_real_ids(operation.as_strategy(), seeds))
    def send(case):
        reply = case.call(base_url=emu.url + '/api/v1', session=session, headers=HEADERS, timeout=30)
        if reply.status_code == 500 and key in KNOWN_FINDINGS:
            known.append('%s: %s' % (label, KNOWN_FINDINGS[key]))
            return
        problems.extend('%s -> %d: %s (request: %s)' % (label, reply.status_code, problem, case.as_curl_command())
                        for problem in _problems(contract, operation, reply))

    send()  # pylint: disable=no-value-for-parameter


def _run(name, emu, client, make_zip):
    """Send generated requests for every operation of shared/ece-api/<name>; return (problems, known, skipped, ran)."""
    with open(require_shared_file(name), encoding='utf-8') as handle:
        raw = json.load(handle)
    raw['host'] = emu.url.split('://', 1)[1]  # Elastic's file has the placeholder {{hostname}}
    contract = Contract(raw, 'urn:ece-swagger:' + name)
    schema = schemathesis.openapi.from_dict(raw)
    seeds = _seed(emu, client, make_zip)
    session = requests.Session()
    problems, known, skipped, ran = [], [], [], []
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            label = '%s %s' % (operation.method.upper(), operation.path)
            if not _implemented(operation, emu):
                skipped.append(label)
                continue

            _send_examples(operation, label, seeds, emu, session, contract, problems, known)
            ran.append(label)
    finally:
        session.close()
    return problems, known, skipped, ran


@pytest.mark.parametrize('name', ['extensions-swagger.json', 'deployments-swagger.json', 'fleet-swagger.json'])
def test_generated_requests_get_replies_the_swagger_allows(name, emu, client, make_zip, capsys):
    problems, known, skipped, ran = _run(name, emu, client, make_zip)
    assert not problems, '\n'.join(problems[:20])
    if known:
        pytest.xfail('known emulator findings: %s' % '; '.join(sorted(set(known))))
    if name != 'fleet-swagger.json':
        assert not skipped, 'the emulator implements every operation of %s, but these were skipped: %s' % (name, skipped)
    elif not ran:
        pytest.skip('the emulator implements none of the operations of %s yet (other work adds them): %s' % (name, '; '.join(skipped)))
    elif skipped:
        with capsys.disabled():
            print('\n%s: %d operations ran; not implemented by the emulator, so skipped: %s' % (name, len(ran), '; '.join(skipped)))


def test_known_finding_a_plan_without_elasticsearch_version(emu, client, deps, make_zip):
    """A finding of the generated requests, spelled out: it must be refused or accepted, never a 500."""
    ext = client.create(name='versionless', version='8.*', extension_type='bundle')
    client.upload(ext['id'], make_zip())
    dep = deps.create()
    without_version = {'cluster_topology': [], 'elasticsearch': {}}
    with_bundle = {'cluster_topology': [], 'elasticsearch': {
        'user_bundles': [{'name': ext['name'], 'url': ext['url'], 'elasticsearch_version': '8.*'}]}}
    statuses = []
    for plan in (without_version, with_bundle):
        body = {'prune_orphans': False, 'resources': {'elasticsearch': [{'ref_id': 'main-elasticsearch', 'region': 'ece-region', 'plan': plan}]}}
        statuses.append(deps.put(dep['id'], body).status_code)
    assert 500 not in statuses, statuses
