"""Conditional GETs of stored archives (ETag, Last-Modified, 304), the download log, raw upload bodies stored the same
as multipart ones, the request log's content_type, and the /_emulator/uploads switch."""

import hashlib
import time

import requests


def stored(client, make_zip, content=b'one', **upload):
    ext = client.create()
    return ext['id'], client.upload(ext['id'], make_zip(content), **upload)['file_metadata']


def test_a_stored_archive_carries_validators_and_answers_conditional_gets_with_304(emu, client, make_zip):
    _ext_id, meta = stored(client, make_zip)
    first = requests.get(meta['url'], timeout=10)
    assert first.status_code == 200
    assert first.headers['ETag'] == '"%s"' % hashlib.sha256(first.content).hexdigest()
    assert first.headers['Last-Modified'].endswith(' GMT')
    by_tag = requests.get(meta['url'], headers={'If-None-Match': first.headers['ETag']}, timeout=10)
    by_date = requests.get(meta['url'], headers={'If-Modified-Since': first.headers['Last-Modified']}, timeout=10)
    weak = requests.get(meta['url'], headers={'If-None-Match': 'W/' + first.headers['ETag']}, timeout=10)
    assert [by_tag.status_code, by_date.status_code, weak.status_code] == [304, 304, 304]
    assert by_tag.content == b'' and by_tag.headers['ETag'] == first.headers['ETag']
    assert [entry['status'] for entry in emu.file_log()] == [200, 304, 304, 304]
    assert all(entry['path'].startswith('/_emulator/files/') for entry in emu.file_log())


def test_another_archive_is_sent_in_full_even_with_an_old_date(client, make_zip):
    ext_id, meta = stored(client, make_zip)
    old = requests.get(meta['url'], timeout=10)
    newer = client.upload(ext_id, make_zip(b'two'))['file_metadata']
    # The tag wins over the date (the date has whole seconds, so both archives may share it).
    answer = requests.get(newer['url'], headers={'If-None-Match': old.headers['ETag'],
                                                 'If-Modified-Since': old.headers['Last-Modified']}, timeout=10)
    assert answer.status_code == 200 and answer.content == make_zip(b'two')
    older_date = requests.get(newer['url'], headers={'If-Modified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT'}, timeout=10)
    assert older_date.status_code == 200


def test_raw_and_multipart_bodies_store_the_same_bytes_and_the_log_has_their_content_type(emu, client, make_zip):
    archive = make_zip(b'same bytes')
    raw_id, raw_meta = stored(client, make_zip, b'same bytes', headers={'Content-Type': 'application/zip'})
    multi = client.create(name='multi')
    multi_meta = client.upload(multi['id'], None, files={'file': ('a.zip', archive, 'application/zip')})['file_metadata']
    assert raw_meta['size'] == multi_meta['size'] == len(archive)
    assert requests.get(raw_meta['url'], timeout=10).content == requests.get(multi_meta['url'], timeout=10).content == archive
    puts = [entry for entry in emu.requests_log() if entry['method'] == 'PUT']
    assert puts[0]['content_type'] == 'application/zip'
    assert puts[1]['content_type'].startswith('multipart/form-data; boundary=')
    assert all(entry['content_type'] is None for entry in emu.requests_log() if entry['method'] == 'GET')
    assert raw_id != multi['id']


def test_a_re_upload_moves_the_date_unless_the_switch_keeps_it(emu, client, make_zip):
    assert requests.get(emu.control('/uploads'), timeout=10).json() == {'keep_last_modified_date': False}
    ext_id, first = stored(client, make_zip)
    time.sleep(0.01)
    moved = client.upload(ext_id, make_zip(b'two'))['file_metadata']
    assert moved['last_modified_date'] != first['last_modified_date']
    reply = requests.post(emu.control('/uploads'), json={'keep_last_modified_date': True}, timeout=10)
    assert reply.json() == {'keep_last_modified_date': True}
    time.sleep(0.01)
    kept = client.upload(ext_id, make_zip(b'six'))['file_metadata']
    assert kept['last_modified_date'] == moved['last_modified_date'] and kept['url'] != moved['url']
    assert requests.post(emu.control('/uploads'), json={'keep_last_modified_date': 'yes'}, timeout=10).status_code == 400
    emu.reset()
    assert requests.get(emu.control('/uploads'), timeout=10).json() == {'keep_last_modified_date': False}
