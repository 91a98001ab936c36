# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the block size of every file read, hash and download.

1 MiB: few enough Python steps per GiB that reading is not the bottleneck, small enough that memory stays
flat whatever the archive's size. (Sending uses its own, smaller block: SEND_BLOCK_SIZE in _client.py.)
"""

from __future__ import annotations

CHUNK_SIZE = 1024 * 1024
