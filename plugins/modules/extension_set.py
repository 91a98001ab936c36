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
  - The whole list is checked before anything is sent; bad input in any item (an unknown option, a wrong type,
    O(extensions[].file) together with O(extensions[].download_url), a bad archive, ...) fails the task with no
    change, and the message names every bad item by its index and name.
  - When one item fails on the server (an extension in use, a download ECE cannot make, ...) the others are still
    converged; the task then fails, and C(results) says which item failed and why.
  - An item that would change an extension in use into something its deployments cannot run (a new version or plugin
    archive for another Elasticsearch version) is refused before any write and fails like any failed item; see
    M(ece.platform.extension).
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
      - >-
        Each item is a dict with at least O(extensions[].name) (or O(extensions[].id)), for example
        C({name: synonyms, extension_type: bundle, version: "8.*"}). An item that is not a dict, such as a bare name,
        fails before any request with a message that names it by its index.
    type: list
    elements: raw
    required: true
    suboptions:
      name:
        description:
          - Name of the extension; it identifies the extension when O(extensions[].id) is not given.
          - Each item needs O(extensions[].name) or O(extensions[].id); with O(extensions[].state=absent) the id alone is enough.
        type: str
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
        description:
          - Elasticsearch version; required to create, and with O(extensions[].identity=name_and_version).
          - A new version that a deployment using the extension could not run is refused, as in M(ece.platform.extension);
            the item fails like any failed item.
        type: str
      identity:
        description:
          - V(name) (one extension per name) or V(name_and_version) (one per build, found by name and exact version);
            see M(ece.platform.extension).
          - With O(exclusive=true), each (name, version) pair of a V(name_and_version) item is one listed entry; another
            version of that name is unlisted (deleted unless in use).
        type: str
        choices: [name, name_and_version]
        default: name
        version_added: 0.3.0
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
      upload_mode:
        description:
          - How O(extensions[].file) is sent, V(multipart) (C(multipart/form-data), part C(file)) or V(raw) (the archive
            as the body, content type C(application/zip), as C(curl -T)). See M(ece.platform.extension).
        type: str
        choices: [multipart, raw]
        default: multipart
        version_added: 0.3.0
  exclusive:
    description:
      - Also delete every extension on the server that O(extensions) does not name.
      - An extension is named when an item gives its id or its name, whatever became of that item. So an item that
        fails (for example because two extensions carry its name, or its id is stale) still protects them.
      - An item with O(extensions[].identity=name_and_version) names only the extension of its name and version; other
        versions of that name are unlisted, unless that item failed (then every extension of its name is protected).
      - When any item fails, nothing is deleted as unlisted; RV(unlisted_skipped_reason) says why and
        RV(unlisted_skipped) lists what was left alone. Fix the item and run again.
      - Extensions still used by deployments are never deleted; they are listed in RV(kept_in_use).
      - With an empty O(extensions) list the task fails before any request, unless O(allow_empty=true).
      - In check mode, RV(deleted) and RV(kept_in_use) predict exactly what the real run deletes and keeps, as the
        deployments of each candidate are read in check mode too.
    type: bool
    default: false
  allow_empty:
    description:
      - With O(exclusive=true), accept an empty O(extensions) list, which deletes every extension that no deployment uses.
      - Without it such a run fails, so that an empty or misspelt variable cannot wipe the server.
    type: bool
    default: false
    version_added: 0.2.0
  only_state:
    description:
      - Converge only the items of this O(extensions[].state); the others are not touched, but still count as listed, so
        O(exclusive) never deletes them.
      - V(present) creates, updates and uploads; O(exclusive) then deletes nothing (its empty-list rule is still checked).
        V(absent) deletes the absent items and, with O(exclusive=true), the unlisted extensions.
      - This splits a run into two, so that other tasks can run in between. The role P(ece.platform.extensions#role)
        converges the present items, then the deployments (which may detach extensions), then the deletions, so that an
        extension can be detached and deleted in one run.
      - Unset, every item is converged, then the unlisted ones are deleted.
    type: str
    choices: [present, absent]
    version_added: 0.3.0
  check_mode_detached:
    description:
      - In check mode only, the deployments that an earlier task of the play detaches an extension from, so that the
        deletion of that extension is predicted as the real run will make it (detached first, then deleted) instead of
        failing "in use". A warning names each such prediction.
      - Each entry is a dict with C(extension) (its name or id) and C(deployment) (the deployment's id, as ECE lists the
        users of an extension).
      - The real run ignores it; ECE alone says whether an extension is still in use. The role
        P(ece.platform.extensions#role) fills it from its deployment items.
    type: list
    elements: dict
    default: []
    version_added: 0.3.0
  earlier_results:
    description:
      - With O(only_state=absent), the RV(results) of the run with O(only_state=present) of the same list, so that this
        run's RV(results), RV(report) and RV(urls) cover the whole list, in one report. They are only reported, never
        sent to ECE, and do not make this task changed.
      - The role P(ece.platform.extensions#role) passes them, so that its report has one line of counts.
    type: list
    elements: dict
    default: []
    version_added: 0.3.0
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
    - Each holds C(name), C(id), C(state), C(changed), C(action), C(uploaded), C(version) (items with
      O(extensions[].identity=name_and_version) only), C(extension) (as M(ece.platform.extension)
      returns it), C(diff) in diff mode, C(unlisted=true) for a deletion by O(exclusive), and C(failed), C(msg),
      C(status), C(errors) when that item failed.
    - C(action) says what the item did (in check mode, would do), in one word; C(uploaded) is V(true) when an archive
      was uploaded (also with C(action=created) or C(action=updated)).
    - C(changed) is V(true) for a failed item too when a write went through before the failure (for example a create
      whose upload then failed).
  returned: always
  type: list
  elements: dict
  contains:
    action:
      description:
        - V(created), V(updated) (metadata changed), V(uploaded) (only the archive changed), V(deleted), V(unchanged),
          V(absent) (O(extensions[].state=absent) and there was none) or V(failed).
      type: str
      sample: updated
      version_added: 0.2.0
    uploaded:
      description: Whether an archive was uploaded for this item.
      type: bool
      version_added: 0.2.0
    in_use_by:
      description:
        - The deployments (C(id), C(name), C(elasticsearch_version)) that use the extension, when the item stored a new
          archive for it (they run a stale copy until reloaded), or when the safety rule refused the item.
        - See RV(ece.platform.extension#module:in_use_by).
      type: list
      elements: dict
      version_added: 0.3.0
  sample:
    - {name: synonyms, id: "882519870", state: present, changed: true, action: uploaded, uploaded: true, extension: {}}
deleted:
  description: Extensions deleted (or, in check mode, to be deleted) because O(exclusive=true) and the list does not name them.
  returned: always
  type: list
  elements: dict
  sample: [{id: "882519870", name: old-synonyms}]
kept_in_use:
  description: Unlisted extensions that O(exclusive=true) did not delete (in check mode, would not delete) because deployments use them.
  returned: always
  type: list
  elements: dict
  sample: [{id: "2536123203", name: legacy-plugin, deployments: ["f91f3a9360a74e9d8c068cd2698c92ea"]}]
unlisted_skipped:
  description:
    - Unlisted extensions that O(exclusive=true) left alone because an item failed (see RV(unlisted_skipped_reason)).
      Empty when nothing was skipped.
  returned: always
  type: list
  elements: dict
  sample: [{id: "882519870", name: old-synonyms}]
  version_added: 0.2.0
unlisted_skipped_reason:
  description: Why no extension was deleted as unlisted although O(exclusive=true).
  returned: when O(exclusive=true) and an item failed
  type: str
  sample: >-
    No extension was deleted as unlisted because 1 item failed: exclusive=true deletes only after every item converged.
    Fix the failed item and run again.
  version_added: 0.2.0
check_mode:
  description: Whether the task ran in check mode, so that RV(results), RV(deleted) and RV(kept_in_use) are predictions.
  returned: always
  type: bool
  version_added: 0.2.0
invalid:
  description:
    - The items that failed the checks made before any request, each C(index), C(name), C(id) and C(msg). Nothing was
      sent to ECE.
  returned: when an item is invalid
  type: list
  elements: dict
  sample: [{index: 2, name: synonyms, id: null, msg: "extensions[2] (synonyms): unknown option fiel. ..."}]
  version_added: 0.2.0
report:
  description:
    - What the run did (in check mode, would do), for a person to read; the role P(ece.platform.extensions#role) prints it.
    - The first line counts the items of O(extensions) by RV(results[].action), the invalid items, and the unlisted
      extensions deleted, kept in use, or kept because an item failed. It starts with C(Check mode, predicted:) in check mode.
    - >-
      Then one line per entry of RV(results): C(<name>: <action>), C(<name>: updated (archive uploaded\)),
      C(<name>: absent (nothing to delete\)), C(<name>: FAILED: <why>), or C(<name>: deleted (not listed\)) for a deletion by
      O(exclusive); the message of each entry of RV(invalid); C(<name>: kept (not listed, in use by <deployment ids>\)) per entry
      of RV(kept_in_use); C(<name>: kept (not listed, but not deleted because an item failed\)) per entry of
      RV(unlisted_skipped), then RV(unlisted_skipped_reason); and C(FAILED before any extension was handled: <why>) when the
      task failed before any item (for example when ECE could not be reached).
    - An item with O(extensions[].identity=name_and_version) is labelled C(<name> (<version>\)) (0.3.0).
    - An item whose new archive went to an extension that deployments use has its line end with
      C((in use by <deployments>, which run the old copy until reloaded\)) (0.3.0).
    - Returned also when the task fails, except when ansible-core refuses the module's options before it runs.
  returned: always
  type: list
  elements: str
  sample:
    - "3 listed: 1 created, 1 updated, 1 unchanged; not listed: 1 deleted"
    - "synonyms: created"
    - "analysis-custom: updated (archive uploaded)"
    - "stopwords: unchanged"
    - "old-bundle: deleted (not listed)"
  version_added: 0.2.0
urls:
  description:
    - The C(repo://) URL of each extension of O(extensions) that is present after the run, by name; a deployment plan
      references an extension by this URL (C(user_bundles), C(user_plugins)).
    - Failed items, absent ones and, in check mode, extensions still to be created have no URL, so they are not in it.
    - Returned also when the task fails, except when ansible-core refuses the module's options before it runs.
  returned: always
  type: dict
  sample: {synonyms: "repo://882519870"}
  version_added: 0.2.0
'''

from ansible_collections.ece.platform.plugins.module_utils._assume_detached import AssumeDetached, parse_pairs
from ansible_collections.ece.platform.plugins.module_utils._connection import client_from_module
from ansible_collections.ece.platform.plugins.module_utils._module import ece_module, run_or_fail
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_set import ExtensionSetReconciler, check_exclusive_list
from ansible_collections.ece.platform.plugins.module_utils._extension_set_items import desired_items
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import ExtensionsApi
from ansible_collections.ece.platform.plugins.module_utils._set_report import with_report


def _diffs(results):
    """Ansible shows a list of diffs one after the other; one per changed item, headed by its name."""
    return [dict(before_header=r['name'], after_header=r['name'], before=r['diff']['before'], after=r['diff']['after'])
            for r in results if r.get('changed') and r.get('diff')]


def _failure_message(outcome):
    failures = outcome['failures']
    msg = '%d of %d extensions failed: %s' % (len(failures), len(outcome['results']),
                                              '; '.join('%s (%s)' % (f['name'], f['msg']) for f in failures))
    if outcome.get('unlisted_skipped_reason'):
        msg += ' ' + outcome['unlisted_skipped_reason']
    return msg


def main():
    module = ece_module(
        argument_spec=dict(
            # Items are checked one by one in _extension_set_items, so that every message names its item. So
            # validate-modules cannot compare the documented suboptions with _options.extension_options():
            # tests/unit/plugins/modules/test_module_docs.py does. Elements are raw, not dict: ansible-core would
            # refuse an item that is not a dict (a bare name) with a message that names neither the item nor the fix.
            extensions=dict(type='list', elements='raw', required=True),
            exclusive=dict(type='bool', default=False),
            allow_empty=dict(type='bool', default=False),
            only_state=dict(type='str', choices=['present', 'absent']),
            check_mode_detached=dict(type='list', elements='dict', default=[]),
            earlier_results=dict(type='list', elements='dict', default=[]),
        ),
        supports_check_mode=True,
    )

    only_state = module.params['only_state']
    # The present items' results of the earlier run: reported with this run's, so that one report covers the list.
    earlier = [dict(r) for r in module.params['earlier_results']] if only_state == 'absent' else []

    def converge():
        desired = desired_items(module.params['extensions'], workdir=module.tmpdir, only_state=only_state)
        check_exclusive_list(desired, module.params['exclusive'], module.params['allow_empty'])
        detached = parse_pairs(module.params['check_mode_detached'])
        api = ExtensionsApi(client_from_module(module), check_mode=module.check_mode)
        if module.check_mode and detached:
            api = AssumeDetached(api, detached, module.warn)
        outcome = ExtensionSetReconciler(api, warn=module.warn, diff=module._diff).run(desired, module.params['exclusive'],
                                                                                       only_state=only_state)
        results = outcome['results']
        result = dict(changed=any(r.get('changed') for r in results), results=earlier + results, deleted=outcome['deleted'],
                      kept_in_use=outcome['kept_in_use'], unlisted_skipped=outcome['unlisted_skipped'],
                      check_mode=module.check_mode)
        if 'unlisted_skipped_reason' in outcome:
            result['unlisted_skipped_reason'] = outcome['unlisted_skipped_reason']
        if module._diff:
            result['diff'] = _diffs(results)
        else:
            for item in results:
                item.pop('diff', None)
        if outcome['failures']:
            raise EceError(_failure_message(outcome), **result)
        return result

    listed = len([item for item in module.params['extensions']
                  if only_state is None or earlier or not isinstance(item, dict) or (item.get('state') or 'present') == only_state])
    run_or_fail(module, lambda: with_report(converge, listed, module.check_mode))


if __name__ == '__main__':
    main()
