"""The download_url archive server: validators, conditional GETs, its request log, and nothing outside its directory."""

import os
import subprocess
import sys
import time

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(name='served')
def fixture_served(tmp_path):
    root = tmp_path / 'www'
    root.mkdir()
    (tmp_path / 'secret.txt').write_text('outside')
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, 'archive_server.py'), '--port', '0', '--directory', str(root)],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith('READY '), line
        yield root, line.split()[1]
    finally:
        proc.terminate()
        assert proc.wait(15) == 0


def test_a_file_is_served_with_validators_and_a_conditional_get_gets_304(served):
    root, url = served
    (root / 'a.zip').write_bytes(b'PK\x03\x04one')
    first = requests.get(url + '/a.zip', timeout=10)
    assert first.status_code == 200 and first.content == b'PK\x03\x04one'
    assert first.headers['ETag'] and first.headers['Last-Modified'].endswith('GMT')
    tag = requests.get(url + '/a.zip', headers={'If-None-Match': first.headers['ETag']}, timeout=10)
    date = requests.get(url + '/a.zip', headers={'If-Modified-Since': first.headers['Last-Modified']}, timeout=10)
    assert (tag.status_code, tag.content, date.status_code) == (304, b'', 304)
    log = requests.get(url + '/_archive_server/requests', timeout=10).json()
    assert [(entry['path'], entry['status']) for entry in log] == [('/a.zip', 200), ('/a.zip', 304), ('/a.zip', 304)]
    requests.post(url + '/_archive_server/reset', timeout=10)
    assert requests.get(url + '/_archive_server/requests', timeout=10).json() == []


def test_a_changed_file_gets_a_new_tag_and_is_sent_in_full(served):
    root, url = served
    (root / 'a.zip').write_bytes(b'PK\x03\x04one')
    first = requests.get(url + '/a.zip', timeout=10)
    time.sleep(0.01)
    (root / 'a.zip').write_bytes(b'PK\x03\x04two')  # same size, same second: only the tag tells
    again = requests.get(url + '/a.zip', headers={'If-None-Match': first.headers['ETag'],
                                                  'If-Modified-Since': first.headers['Last-Modified']}, timeout=10)
    assert again.status_code == 200 and again.content == b'PK\x03\x04two'
    assert again.headers['ETag'] != first.headers['ETag']


@pytest.mark.parametrize('path', ['/missing.zip', '/../secret.txt', '/%2e%2e/secret.txt', '/', '/sub'])
def test_nothing_outside_the_directory_and_no_listing(served, path):
    root, url = served
    (root / 'sub').mkdir()
    answer = requests.get(url + path, timeout=10)
    assert answer.status_code == 404 and b'outside' not in answer.content
