"""Directory archives are byte-identical for the same tree; plugin descriptors are checked before any request."""

import os
import zipfile

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._plugin_descriptor import check_plugin_archive, parse_properties
from ansible_collections.ece.platform.plugins.module_utils._zip_builder import build_zip


def make_tree(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(text)


def read_bytes(path):
    with open(path, 'rb') as handle:
        return handle.read()


TREE = {'b.txt': 'bee\n', 'a/z.txt': 'zed\n', 'a/b/c.txt': 'see\n'}


def test_same_tree_gives_the_same_bytes_whatever_the_timestamps_and_order(tmp_path):
    first, second = tmp_path / 'one', tmp_path / 'two'
    make_tree(str(first), TREE)
    make_tree(str(second), dict(reversed(list(TREE.items()))))
    for top, _dirs, files in os.walk(str(second)):
        for name in files:
            os.utime(os.path.join(top, name), (1_000_000_000, 1_000_000_000))
            os.chmod(os.path.join(top, name), 0o600)
    assert read_bytes(build_zip(str(first), str(tmp_path))) == read_bytes(build_zip(str(second), str(tmp_path)))


def test_changed_content_gives_other_bytes_and_entries_are_sorted(tmp_path):
    tree = tmp_path / 'tree'
    make_tree(str(tree), TREE)
    before = read_bytes(build_zip(str(tree), str(tmp_path)))
    make_tree(str(tree), {'b.txt': 'bees\n'})
    after_path = build_zip(str(tree), str(tmp_path))
    assert read_bytes(after_path) != before
    with zipfile.ZipFile(after_path) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert archive.read('b.txt') == b'bees\n'
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())


def test_an_empty_directory_is_refused(tmp_path):
    (tmp_path / 'empty' / 'sub').mkdir(parents=True)
    with pytest.raises(EceError, match='holds no files'):
        build_zip(str(tmp_path / 'empty'), str(tmp_path))


def plugin_zip(tmp_path, descriptor_name='plugin-descriptor.properties', version='8.15.1'):
    path = str(tmp_path / 'plugin.zip')
    with zipfile.ZipFile(path, 'w') as archive:
        if descriptor_name:
            archive.writestr(descriptor_name, '# comment\nname=p\nelasticsearch.version = %s\n' % version)
        archive.writestr('p.jar', 'x')
    return path


@pytest.mark.parametrize('name', ['plugin-descriptor.properties', 'stable-plugin-descriptor.properties',
                                  'elasticsearch/plugin-descriptor.properties'])
def test_a_matching_descriptor_passes(tmp_path, name):
    check_plugin_archive(plugin_zip(tmp_path, name), '8.15.1')


def test_a_missing_descriptor_fails_naming_both_names(tmp_path):
    with pytest.raises(EceError) as caught:
        check_plugin_archive(plugin_zip(tmp_path, None), '8.15.1')
    assert 'plugin-descriptor.properties' in caught.value.msg and 'stable-plugin-descriptor.properties' in caught.value.msg


def test_a_wrong_version_fails_naming_both_values(tmp_path):
    with pytest.raises(EceError) as caught:
        check_plugin_archive(plugin_zip(tmp_path, version='8.14.0'), '8.15.1')
    assert '8.15.1' in caught.value.msg and 'elasticsearch.version=8.14.0' in caught.value.msg


def test_properties_parsing():
    assert parse_properties('a=1\n! x\n# y\nb : 2\n\nc=x=y\n') == {'a': '1', 'b': '2', 'c': 'x=y'}
