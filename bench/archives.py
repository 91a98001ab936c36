"""The archives the scenarios upload: many small real zips, and big files that only start like a zip."""

import os
import zipfile

ZIP_HEADER = b'PK\x03\x04'


def small_zips(directory, count, prefix):
    """`count` distinct small bundles (real zip files); returns their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for index in range(count):
        path = os.path.join(directory, '%s-%03d.zip' % (prefix, index))
        if not os.path.exists(path):
            with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as archive:
                archive.writestr('dictionaries/synonyms-%03d.txt' % index, 'laptop, notebook, %d\nphone, mobile\n' % index)
        paths.append(path)
    return paths


def big_file(path, size):
    """A sparse file of `size` bytes that starts with a zip local-file header: all the emulator checks.

    Reading it costs CPU, not disk I/O, for every reader alike (module, curl, sha256sum).
    """
    with open(path, 'wb') as handle:
        handle.write(ZIP_HEADER + os.urandom(4092))
        handle.truncate(size)
    return path


def extension_items(paths, prefix):
    """The `ece_extensions` items (and loop items) for a list of archives."""
    return [{'name': '%s-%03d' % (prefix, index), 'extension_type': 'bundle', 'version': '8.*', 'file': path}
            for index, path in enumerate(paths)]
