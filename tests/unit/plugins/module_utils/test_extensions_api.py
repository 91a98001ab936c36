# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The write boundary: check mode, how a create is tried again, and what each ECE error becomes."""

from __future__ import annotations

import copy
import hashlib
import random

import pytest

from ansible_collections.ece.platform.plugins.module_utils._archive import LocalArchive
from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_state import DesiredExtension, ExtensionReconciler
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import (
    COLLECTION_PATH,
    ExtensionsApi,
    hash_in_background,
    item_path,
)
from ansible_collections.ece.platform.plugins.module_utils._retry import RetryPolicy
from ansible_collections.ece.platform.tests.unit.ece_register import reading

BASE = 'https://ece.example.com:12443/api/v1'


class Call:
    def __init__(self, method, path, json_body, params, body_factory, retry):
        self.method = method
        self.path = path
        self.json_body = json_body
        self.params = params
        self.body_factory = body_factory
        self.retry = retry

    def __repr__(self):
        return '%s %s' % (self.method, self.path)


class FakeClient:
    """EceClient's interface: each request takes the next scripted outcome (a value to return or an error to raise)."""

    def __init__(self, *outcomes, retries=4, files=None):
        self.outcomes = list(outcomes)
        self.calls = []
        self.sleeps = []
        self.downloads = []
        self.files = files or {}
        self.retry_policy = RetryPolicy(retries, 60.0, rng=random.Random(7))

    def sleep(self, seconds):
        self.sleeps.append(seconds)

    def url(self, path):
        return BASE + path

    def request(self, method, path, json_body=None, params=None, body_factory=None, retry=True, operation=None):
        self.calls.append(Call(method, path, copy.deepcopy(json_body), params, body_factory, retry))
        assert self.outcomes, 'unexpected request %s %s' % (method, path)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return copy.deepcopy(outcome)

    def download(self, url, consume):
        self.downloads.append(url)
        content = self.files[url]
        for start in range(0, len(content), 10):
            consume(content[start:start + 10])

    def sent(self):
        return [(call.method, call.path) for call in self.calls]


def api_error(status, code=None, method='POST', path=COLLECTION_PATH, message='ECE says no.'):
    errors = [{'code': code, 'message': message, 'fields': []}] if code else []
    return EceApiError('%s %s failed: ECE answered HTTP %s.' % (method, path, status), method, BASE + path, status=status, errors=errors)


def transport_error(method='POST', path=COLLECTION_PATH):
    return EceApiError('%s %s failed: could not connect.' % (method, path), method, BASE + path)


BODY = {'name': 'analysis-custom', 'extension_type': 'bundle', 'version': '8.*'}
CREATED = dict(BODY, id='101', url='repo://101', deployments=None)


@pytest.fixture
def archive(archive_file):
    return LocalArchive.open_checked(archive_file[0])  # tests/unit/conftest.py


def test_item_path_quotes_the_id():
    assert item_path('4226448541') == '/deployments/extensions/4226448541'
    assert item_path('a/b c') == '/deployments/extensions/a%2Fb%20c'


# Check mode

def test_check_mode_sends_no_write_and_predicts_the_objects(archive):
    client = FakeClient()
    api = ExtensionsApi(client, check_mode=True)
    current = dict(CREATED, description='old', file_metadata={'size': 3, 'url': 'https://f/1.zip'})
    assert api.create(BODY) == dict(BODY, id=None, url=None, deployments=None)
    assert api.update('101', dict(BODY, description='new'), current) == dict(current, description='new')
    assert api.upload('101', archive, current)['file_metadata'] == {'size': archive.size, 'url': 'https://f/1.zip'}
    assert api.delete('101', read=dict(CREATED, deployments=[])) is None
    assert client.calls == []


def test_check_mode_delete_reads_the_deployments_and_predicts_a_free_delete():
    client = FakeClient(dict(CREATED, deployments=[]))
    api = ExtensionsApi(client, check_mode=True)
    assert api.delete('101') is None
    assert client.sent() == [('GET', item_path('101'))]
    assert client.calls[0].params == {'include_deployments': 'true'}


@pytest.mark.parametrize('read_by_caller', [False, True])
def test_check_mode_delete_of_an_extension_in_use_raises_what_ece_would_answer(read_by_caller):
    in_use = dict(CREATED, deployments=['search-prod', 'logs'])
    client = FakeClient() if read_by_caller else FakeClient(in_use)
    api = ExtensionsApi(client, check_mode=True)
    with pytest.raises(EceApiError) as caught:
        api.delete('101', read=in_use if read_by_caller else None)
    error = caught.value
    assert error.has_code('extensions.extension_in_use')
    assert error.status == 400 and error.method == 'DELETE' and error.url == BASE + item_path('101')
    assert error.ece_messages() == 'Cannot delete extension [101]. It is used by deployments [search-prod, logs].'
    assert [call.method for call in client.calls] == ([] if read_by_caller else ['GET'])


def test_check_mode_in_use_prediction_gives_the_real_runs_message():
    """The reconciler turns both the predicted and the real refusal into the same message."""
    ece_said = 'Cannot delete extension [101]. It is used by deployments [search-prod].'
    real = FakeClient({'extensions': [CREATED]},
                      api_error(400, 'extensions.extension_in_use', method='DELETE', path=item_path('101'), message=ece_said))
    check = FakeClient({'extensions': [CREATED]}, dict(CREATED, deployments=['search-prod']))
    messages = []
    for client, check_mode in ((real, False), (check, True)):
        with pytest.raises(EceApiError) as caught:
            ExtensionReconciler(ExtensionsApi(client, check_mode=check_mode)).run(DesiredExtension(CREATED['name'], state='absent'))
        messages.append((caught.value.msg, caught.value.codes, caught.value.status))
    assert messages[0] == messages[1]
    assert 'search-prod' in messages[0][0]


def test_check_mode_still_reads():
    client = FakeClient({'extensions': [CREATED]}, CREATED)
    api = ExtensionsApi(client, check_mode=True)
    assert api.list() == [CREATED]
    assert api.get('101') == CREATED
    assert client.sent() == [('GET', COLLECTION_PATH), ('GET', item_path('101'))]


def test_check_mode_create_with_file_predicts_the_real_run(archive):
    client = FakeClient({'extensions': []})
    want = DesiredExtension('analysis-custom', extension_type='bundle', version='8.*', file=archive.path)
    want.prepare()
    result = ExtensionReconciler(ExtensionsApi(client, check_mode=True)).run(want)
    assert client.sent() == [('GET', COLLECTION_PATH)]
    assert result['changed'] is True
    assert result['extension']['name'] == 'analysis-custom'
    assert result['extension']['file_metadata'] == {'size': archive.size}
    assert result['diff']['after']['file'] == archive.summary()


def test_check_mode_update_predicts_the_real_run():
    # A version change reads who uses the extension first (nobody here), in check mode too.
    client = FakeClient({'extensions': [CREATED]}, dict(CREATED, deployments=[]))
    want = DesiredExtension('analysis-custom', version='8.15.*')
    want.prepare()
    result = ExtensionReconciler(ExtensionsApi(client, check_mode=True)).run(want)
    assert client.sent() == [('GET', COLLECTION_PATH), ('GET', item_path(CREATED['id']))]
    assert result['changed'] is True
    assert result['extension']['version'] == '8.15.*'


# Create: when it is tried again

def test_create_is_sent_once_without_client_retries():
    client = FakeClient(CREATED)
    assert ExtensionsApi(client, check_mode=False).create(BODY) == CREATED
    [call] = client.calls
    assert (call.method, call.path, call.json_body, call.retry) == ('POST', COLLECTION_PATH, BODY, False)


def test_create_retries_when_the_generated_id_collides():
    client = FakeClient(api_error(409, 'extensions.id_already_exists'), CREATED)
    assert ExtensionsApi(client, check_mode=False).create(BODY) == CREATED
    assert client.sent() == [('POST', COLLECTION_PATH), ('POST', COLLECTION_PATH)]
    assert len(client.sleeps) == 1


def test_create_collisions_are_retried_a_bounded_number_of_times():
    client = FakeClient(*[api_error(409, 'extensions.id_already_exists') for _dummy in range(10)], retries=2)
    with pytest.raises(EceApiError) as caught:
        ExtensionsApi(client, check_mode=False).create(BODY)
    assert caught.value.has_code('extensions.id_already_exists')
    assert client.sent() == [('POST', COLLECTION_PATH)] * 3


@pytest.mark.parametrize('failure', [transport_error(), api_error(503), api_error(502)])
def test_unclear_create_adopts_the_extension_that_appeared(failure):
    other = dict(CREATED, id='55', name='someone-else')
    client = FakeClient(failure, {'extensions': [other, CREATED]})
    assert ExtensionsApi(client, check_mode=False).create(BODY) == CREATED
    assert client.sent() == [('POST', COLLECTION_PATH), ('GET', COLLECTION_PATH)]
    assert client.sleeps == []


def test_unclear_create_is_sent_again_when_nothing_appeared():
    client = FakeClient(transport_error(), {'extensions': []}, CREATED)
    assert ExtensionsApi(client, check_mode=False).create(BODY) == CREATED
    assert client.sent() == [('POST', COLLECTION_PATH), ('GET', COLLECTION_PATH), ('POST', COLLECTION_PATH)]
    assert len(client.sleeps) == 1


def test_unclear_create_that_made_two_fails_listing_them():
    client = FakeClient(transport_error(), {'extensions': [dict(CREATED, id='9'), dict(CREATED, id='8')]})
    with pytest.raises(EceError, match=r'now 2 extensions carry that name \(ids 8, 9\)'):
        ExtensionsApi(client, check_mode=False).create(BODY)
    assert [method for method, _path in client.sent()] == ['POST', 'GET']


def test_unclear_create_gives_up_after_the_retries():
    client = FakeClient(transport_error(), {'extensions': []}, transport_error(), {'extensions': []}, retries=1)
    with pytest.raises(EceApiError) as caught:
        ExtensionsApi(client, check_mode=False).create(BODY)
    assert caught.value.status is None
    assert [method for method, _path in client.sent()] == ['POST', 'GET', 'POST', 'GET']


def test_create_rejected_by_ece_is_not_retried():
    client = FakeClient(api_error(400, 'extensions.request_execution_failed'))
    with pytest.raises(EceApiError) as caught:
        ExtensionsApi(client, check_mode=False).create(dict(BODY, download_url='https://a/x.zip'))
    assert caught.value.status == 400
    assert len(client.calls) == 1


# no_user_id

def test_no_user_id_on_create_explains_the_credentials_and_is_not_retried():
    client = FakeClient(api_error(404, 'extensions.no_user_id', message='No user id'), CREATED)
    with pytest.raises(EceApiError) as caught:
        ExtensionsApi(client, check_mode=False).create(BODY)
    error = caught.value
    assert 'API key of a user' in error.msg and 'username and password' in error.msg
    assert error.status == 404
    assert error.codes == ['extensions.no_user_id']
    assert len(client.calls) == 1


@pytest.mark.parametrize('call', [
    lambda api: api.list(),
    lambda api: api.get('1'),
    lambda api: api.update('1', BODY, CREATED),
    lambda api: api.delete('1'),
])
def test_no_user_id_on_other_calls_explains_the_credentials(call):
    client = FakeClient(api_error(401, 'extensions.no_user_id', method='GET'))
    with pytest.raises(EceApiError, match='API key of a user') as caught:
        call(ExtensionsApi(client, check_mode=False))
    assert caught.value.status == 401


# Reads, update, upload, delete

def _missing_answer(which, method):
    """ECE's answer for an unknown extension id in the register's `which` reading of `missing-extension-status`."""
    status = reading('missing_extension_status', which)
    return api_error(status, 'extensions.not_found' if status == 404 else 'root.forbidden', method=method)


@pytest.mark.parametrize('which', ['default', 'flipped'])
def test_get_unknown_id_is_none(which):
    listing = [] if which == 'default' else [{'extensions': [dict(CREATED, id='8')]}]
    client = FakeClient(_missing_answer(which, 'GET'), *listing)
    assert ExtensionsApi(client, check_mode=False).get('9', include_deployments=True) is None
    assert client.calls[0].params == {'include_deployments': 'true'}
    assert client.sent()[1:] == ([] if which == 'default' else [('GET', COLLECTION_PATH)])  # a 403 is checked against the listing


def test_a_403_for_a_listed_extension_is_a_real_refusal():
    client = FakeClient(api_error(403, 'root.forbidden', method='GET'), {'extensions': [dict(CREATED, id='9')]})
    with pytest.raises(EceApiError) as caught:
        ExtensionsApi(client, check_mode=False).get('9')
    assert caught.value.status == 403


def test_a_403_whose_listing_fails_too_stays_a_refusal():
    client = FakeClient(api_error(403, 'root.forbidden', method='GET'), api_error(403, 'root.forbidden', method='GET'))
    with pytest.raises(EceApiError) as caught:
        ExtensionsApi(client, check_mode=False).get('9')
    assert caught.value.status == 403 and client.sent() == [('GET', item_path('9')), ('GET', COLLECTION_PATH)]


def test_get_other_errors_raise():
    client = FakeClient(api_error(500, method='GET'))
    with pytest.raises(EceApiError):
        ExtensionsApi(client, check_mode=False).get('9')


def test_find_by_name_matches_exactly():
    client = FakeClient({'extensions': [CREATED, dict(CREATED, id='2', name='analysis-custom-2'), dict(CREATED, id='3', name='Analysis-Custom')]})
    assert ExtensionsApi(client, check_mode=False).find_by_name('analysis-custom') == [CREATED]


def test_update_posts_to_the_item():
    client = FakeClient(dict(CREATED, version='9.*'))
    assert ExtensionsApi(client, check_mode=False).update('101', dict(BODY, version='9.*'), CREATED)['version'] == '9.*'
    [call] = client.calls
    assert (call.method, call.path, call.json_body) == ('POST', item_path('101'), dict(BODY, version='9.*'))


def test_upload_puts_the_archive_as_multipart_and_can_build_the_body_again(archive):
    bodies = []

    class Recording(FakeClient):
        def request(self, method, path, **kwargs):
            # As EceClient does on a retry: the factory is called once per attempt, while the file is open.
            for _attempt in range(2):
                encoder, headers = kwargs['body_factory']()
                bodies.append((encoder.read(), headers))
            return super().request(method, path, **kwargs)

    client = Recording(dict(CREATED, file_metadata={'size': archive.size}))
    ExtensionsApi(client, check_mode=False).upload('101', archive, CREATED)
    assert client.sent() == [('PUT', item_path('101'))]
    with open(archive.path, 'rb') as handle:
        content = handle.read()
    assert len(bodies) == 2
    for body, headers in bodies:
        assert content in body
        assert b'name="file"; filename="synonyms.zip"' in body
        assert int(headers['Content-Length']) == len(body)


@pytest.mark.parametrize('which', ['default', 'flipped'])
def test_delete_of_a_missing_extension_is_done(which):
    listing = [] if which == 'default' else [{'extensions': []}]
    client = FakeClient(_missing_answer(which, 'DELETE'), *listing)
    assert ExtensionsApi(client, check_mode=False).delete('101') is None
    assert client.sent()[0] == ('DELETE', item_path('101'))


def test_a_403_on_delete_of_a_listed_extension_is_a_real_refusal():
    client = FakeClient(api_error(403, 'root.forbidden', method='DELETE'), {'extensions': [CREATED]})
    with pytest.raises(EceApiError) as caught:
        ExtensionsApi(client, check_mode=False).delete('101')
    assert caught.value.status == 403


def test_delete_other_errors_raise():
    client = FakeClient(api_error(400, 'extensions.extension_in_use', method='DELETE'))
    with pytest.raises(EceApiError) as caught:
        ExtensionsApi(client, check_mode=False).delete('101')
    assert caught.value.has_code('extensions.extension_in_use')


# The server's copy of the archive

def test_stored_sha256_streams_the_file_metadata_url():
    content = b'PK\x03\x04' + bytes(range(256)) * 10
    client = FakeClient(files={'https://files/101.zip?sig=1': content})
    digest = ExtensionsApi(client, check_mode=False).stored_sha256(dict(CREATED, file_metadata={'size': len(content), 'url': 'https://files/101.zip?sig=1'}))
    assert digest == hashlib.sha256(content).hexdigest()
    assert client.downloads == ['https://files/101.zip?sig=1']


@pytest.mark.parametrize('file_metadata', [None, {}, {'size': 3}, {'size': 3, 'url': ''}])
def test_stored_sha256_without_a_url_fails(file_metadata):
    client = FakeClient()
    with pytest.raises(EceError, match='no file_metadata.url for extension 101'):
        ExtensionsApi(client, check_mode=False).stored_sha256(dict(CREATED, file_metadata=file_metadata))
    assert client.downloads == []


def test_hash_in_background_computes_the_local_sha256(archive):
    hash_in_background(archive).join(10)
    with open(archive.path, 'rb') as handle:
        assert archive._sha256 == hashlib.sha256(handle.read()).hexdigest()  # pylint: disable=protected-access


def timeout_error():
    return EceApiError('Creating extension x failed: no answer within the timeout of 1s per socket operation.',
                       'POST', BASE + COLLECTION_PATH, timed_out=True)


@pytest.mark.parametrize('failure', [timeout_error(), api_error(504)], ids=['client-timeout', 'proxy-504'])
def test_a_create_that_may_still_be_running_is_looked_up_after_a_pause_and_adopted(failure):
    created = {'id': '42', 'name': 'x', 'extension_type': 'bundle', 'version': '*'}
    client = FakeClient(failure, {'extensions': [created]})
    client.timeout = 1.0
    api = ExtensionsApi(client, check_mode=False)
    assert api.create({'name': 'x', 'extension_type': 'bundle', 'version': '*'}) == created
    assert client.sent() == [('POST', COLLECTION_PATH), ('GET', COLLECTION_PATH)]
    assert client.sleeps == [1.0]


@pytest.mark.parametrize('failure', [timeout_error(), api_error(504)], ids=['client-timeout', 'proxy-504'])
def test_a_create_that_may_still_be_running_is_never_sent_again(failure):
    client = FakeClient(failure, {'extensions': []})
    client.timeout = 1.0
    with pytest.raises(EceApiError) as caught:
        ExtensionsApi(client, check_mode=False).create({'name': 'x', 'extension_type': 'bundle', 'version': '*'})
    assert 'was not sent again' in caught.value.msg and 'run the task again' in caught.value.msg
    assert [call.method for call in client.calls] == ['POST', 'GET']


def test_a_create_is_not_sent_again_when_the_look_up_after_it_fails_too():
    client = FakeClient(transport_error(), api_error(503, method='GET'))
    with pytest.raises(EceApiError) as caught:
        ExtensionsApi(client, check_mode=False).create({'name': 'x', 'extension_type': 'bundle', 'version': '*'})
    assert 'looking it up failed too' in caught.value.msg
    assert [call.method for call in client.calls] == ['POST', 'GET']
