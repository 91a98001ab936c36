#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: extension_set
short_description: Converge a whole list of ECE deployment extensions in one task
version_added: 0.1.0
description:
  - Brings every extension of a list to its desired state, with the same per-extension behaviour, checks and
    errors as M(ece.platform.extension), in one module run.
  - The server is listed once and only the writes that are needed are sent, so converging N extensions costs
    one module run instead of N. The role P(ece.platform.extensions#role) uses this module.
  - The whole list is checked before anything is sent; bad input in any item fails the task with no change.
  - When one item fails on the server (an extension in use, a download ECE cannot make, ...) the others are still
    converged; the task then fails, and C(results) says which item failed and why.
author:
  - ece.platform maintainers (@ece-platform)
extends_documentation_fragment:
  - ece.platform.connection
  - ece.platform.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: partial
    details:
      - Idempotent, except for items with O(extensions[].force_upload=true).
requirements:
  - requests-toolbelt (for uploads with O(extensions[].file))
notes:
  - A create is never sent again blindly; after an unclear failure the module first checks whether the extension was created.
options:
  extensions:
    description:
      - The desired extensions. Each item takes the options of M(ece.platform.extension), without the
        connection options.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the extension; it identifies the extension when O(extensions[].id) is not given.
        type: str
        required: true
      id:
        description: Act on exactly the extension with this id (renames it when O(extensions[].name) differs).
        type: str
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
      extension_type:
        description: V(plugin) or V(bundle); required to create.
        type: str
        choices: [plugin, bundle]
      version:
        description: Elasticsearch version; required to create.
        type: str
      description:
        description: Free text; V("") clears it.
        type: str
      download_url:
        description: C(http://) or C(https://) URL that ECE copies the archive from. Mutually exclusive with O(extensions[].file).
        type: str
      file:
        description:
          - Local zip archive to upload when its content differs from the server's copy, or a directory that
            the module zips deterministically first. Mutually exclusive with O(extensions[].download_url).
        type: path
      force_upload:
        description: Upload O(extensions[].file) even when the server's copy is identical.
        type: bool
        default: false
  exclusive:
    description:
      - Also delete every extension on the server that O(extensions) does not name.
      - Extensions still used by deployments are never deleted; they are listed in RV(kept_in_use).
      - In check mode, RV(deleted) lists what would be deleted.
    type: bool
    default: false
seealso:
  - module: ece.platform.extension
'''

EXAMPLES = r'''
- name: Make ECE hold exactly these extensions
  ece.platform.extension_set:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    exclusive: true
    extensions:
      - name: synonyms
        extension_type: bundle
        version: "8.*"
        file: bundles/synonyms/          # a directory, zipped the same way every time
      - name: analysis-custom
        extension_type: plugin
        version: 8.15.1
        file: plugins/analysis-custom-8.15.1.zip
      - name: old-bundle
        state: absent
'''

RETURN = r'''
results:
  description:
    - One entry per item of O(extensions), in order, then one per extension deleted by O(exclusive).
    - Each holds C(name), C(id), C(state), C(changed), C(extension) (as M(ece.platform.extension) returns it),
      C(diff) in diff mode, and C(failed), C(msg), C(status), C(errors) when that item failed.
  returned: always
  type: list
  elements: dict
deleted:
  description: Extensions deleted (or, in check mode, to be deleted) because O(exclusive=true) and the list does not name them.
  returned: always
  type: list
  elements: dict
  sample: [{id: "882519870", name: old-synonyms}]
kept_in_use:
  description: Unlisted extensions that O(exclusive=true) did not delete because deployments use them.
  returned: always
  type: list
  elements: dict
  sample: [{id: "2536123203", name: legacy-plugin, deployments: [search-prod]}]
'''

from ansible_collections.ece.platform.plugins.module_utils._argspec import client_from_module, ece_module, extension_options, run_or_fail
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_set import ExtensionSetReconciler, desired_items
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import ExtensionsApi


def _diffs(results):
    """Ansible shows a list of diffs one after the other; one per changed item, headed by its name."""
    return [dict(before_header=r['name'], after_header=r['name'], before=r['diff']['before'], after=r['diff']['after'])
            for r in results if r.get('changed') and r.get('diff')]


def main():
    module = ece_module(
        argument_spec=dict(
            extensions=dict(type='list', elements='dict', required=True, options=extension_options(),
                            mutually_exclusive=[('download_url', 'file')]),
            exclusive=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )

    def converge():
        desired = desired_items(module.params['extensions'], workdir=module.tmpdir)
        api = ExtensionsApi(client_from_module(module), check_mode=module.check_mode)
        results, failures, deleted, kept = ExtensionSetReconciler(api, warn=module.warn, diff=module._diff).run(desired, module.params['exclusive'])
        changed = any(r.get('changed') for r in results)
        diff = _diffs(results) if module._diff else None
        if not module._diff:
            for result in results:
                result.pop('diff', None)
        outcome = dict(changed=changed, results=results, deleted=deleted, kept_in_use=kept)
        if diff is not None:
            outcome['diff'] = diff
        if failures:
            names = ', '.join('%s (%s)' % (f['name'], f['msg']) for f in failures)
            raise EceError('%d of %d extensions failed: %s' % (len(failures), len(results), names), **outcome)
        return outcome

    run_or_fail(module, converge)


if __name__ == '__main__':
    main()
