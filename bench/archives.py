"""The archives the scenarios upload: many small real zips, and big sparse zips."""

import os
import struct
import zipfile
import zlib


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
    """A valid zip file of exactly `size` bytes: one stored entry of zeros, written as a hole (sparse).

    The module reads a zip's central directory before anything is sent, so the file must be a real zip;
    the entry's data is a hole, so reading it costs CPU, not disk I/O, for every reader alike (module,
    curl, sha256sum). Stored (no compression), no zip64: up to 4 GiB.
    """
    name = b'data.bin'
    header_size, central_size, end_size = 30 + len(name), 46 + len(name), 22
    data_size = size - header_size - central_size - end_size
    crc = 0
    zeros = bytes(1024 * 1024)
    remaining = data_size
    while remaining:
        block = min(remaining, len(zeros))
        crc = zlib.crc32(zeros[:block], crc)
        remaining -= block
    date = (1 << 5) | 1  # 1980-01-01
    local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, date, crc, data_size, data_size, len(name), 0) + name
    central = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 0, 0, date, crc, data_size, data_size, len(name),
                          0, 0, 0, 0, 0o644 << 16, 0) + name
    end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(central), header_size + data_size, 0)
    with open(path, 'wb') as handle:
        handle.write(local)
        handle.seek(header_size + data_size)
        handle.write(central + end)
    return path


def extension_items(paths, prefix):
    """The `ece_extensions` items (and loop items) for a list of archives."""
    return [{'name': '%s-%03d' % (prefix, index), 'extension_type': 'bundle', 'version': '8.*', 'file': path}
            for index, path in enumerate(paths)]
