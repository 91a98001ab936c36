#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: extension
short_description: Manage one ECE deployment extension (custom plugin or bundle)
version_added: 0.1.0
description:
  - Creates, updates, uploads the archive of, and deletes one deployment extension on Elastic Cloud
    Enterprise (ECE) or Elastic Cloud, through the C(/api/v1/deployments/extensions) API.
  - The extension is found by O(id) when given, else by its exact O(name) (with O(identity=name_and_version), by its
    name and exact O(version)).
  - An extension that deployments use is never changed into something those deployments cannot run; see O(version),
    O(file) and the guide's chapter "Plugins and Elasticsearch versions".
  - Only the options you give are managed; the ones you leave out keep their value on the server.
  - The archive comes either from a URL that ECE copies it from (O(download_url)), or from a local zip
    file that the module uploads (O(file)). A local file is uploaded only when its content differs from
    the server's copy (see O(file)).
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
      - Idempotent, except with O(force_upload=true), which uploads and reports a change on every run.
options:
  name:
    description:
      - Name of the extension. It identifies the extension when O(id) is not given.
      - ASCII letters, digits, V(_), V(.) and V(-) only; anything else fails before any request is sent.
      - Names are not unique in ECE; when more than one extension has this name the task fails and lists
        their ids, so you can choose one with O(id).
      - O(name) or O(id) is required; with O(state=absent), or to change an extension found by O(id), the id alone is enough.
    type: str
  id:
    description:
      - Act on exactly the extension with this id. With a different O(name), this renames it.
      - ECE assigns ids, so with O(state=present) an unknown id is an error; with O(state=absent) it is a no-op.
      - With O(state=absent) and a O(name) that differs from the name of the extension with this id, nothing is
        deleted and the task fails, since a stale id and a wrong name cannot be told apart.
    type: str
  state:
    description:
      - V(present) creates or updates the extension; V(absent) deletes it.
      - An extension still used by deployments is not deleted; the task fails and names the deployments. Check mode
        reads the extension's deployments and predicts that failure.
    type: str
    choices: [present, absent]
    default: present
  extension_type:
    description:
      - V(plugin) or V(bundle). Required to create an extension.
      - ECE cannot change the type of an existing extension; a different type fails and names both.
    type: str
    choices: [plugin, bundle]
  version:
    description:
      - Elasticsearch version the extension is for. Required to create an extension, and with O(identity=name_and_version).
      - An exact version for a plugin, for example V(8.15.1); a wildcard for a bundle, for example V(8.*) or V(*).
      - A new version of an extension that deployments use is refused before any write when one of those deployments
        could not run it (a plugin's version must equal the deployment's Elasticsearch version, a bundle's must match
        it); the message names the deployments with their Elasticsearch versions. Keep one extension per build instead
        (O(identity=name_and_version)) and move deployments with C(ece.platform.deployment_upgrade) or
        M(ece.platform.deployment_extensions) and its C(replaces). Check mode predicts the refusal.
      - The deployments are read (the extension with C(include_deployments=true), then each deployment) only when the
        version or the archive is about to change.
    type: str
  identity:
    description:
      - How a task without O(id) finds its extension.
      - V(name) finds it by its exact O(name); several extensions of that name fail, listing their ids and versions.
      - V(name_and_version) finds it by its name and exact O(version), which is then required. Builds of one plugin for
        several Elasticsearch versions so become separate extensions of one name; a task for another version creates
        another extension and never changes the existing one. With O(state=absent) only that build is deleted.
    type: str
    choices: [name, name_and_version]
    default: name
    version_added: 0.3.0
  description:
    description:
      - Free text description. V("") clears it.
    type: str
  download_url:
    description:
      - Pattern A. An C(http://) or C(https://) URL of the zip archive, which ECE downloads itself.
      - It must be reachable from ECE without redirects or authentication.
      - When it differs from the extension's current URL the extension is updated and ECE downloads the
        archive again.
      - When it equals the current URL, the module checks that the stored archive is the one the URL serves. It reads
        the URL from the machine that runs the module (no credentials, no redirects) and compares size, then SHA-256,
        with the server's copy. When they differ (for example because an archive was uploaded with O(file) since,
        or the file behind the URL changed), it sends the URL again so that ECE downloads it again. When the URL
        cannot be read from that machine, the module warns and assumes the stored archive came from it.
      - The URL is read with a conditional GET (C(If-None-Match), C(If-Modified-Since)) once its C(ETag) or
        C(Last-Modified) is in the digest cache (see O(file)), so an unchanged URL costs an answer without a body.
      - What ECE is known to do, and what the module assumes, is described in the collection's guide (section
        "Where the stored archive came from").
      - Mutually exclusive with O(file).
    type: str
  file:
    description:
      - Pattern B. Path of a local zip archive on the machine that runs the module, uploaded after the
        metadata exists.
      - A relative path is relative to the module's working directory, which for a task on C(localhost) is the
        directory C(ansible-playbook) or C(ansible) was started from (not the playbook's or role's directory). In a
        playbook, build the path from C({{ playbook_dir }}) or C({{ role_path }}) to be independent of it.
      - It may also name a directory. The module then zips the directory itself (sorted entries, fixed timestamps and
        permissions) and compares its B(content) with the server's copy, not the archive's bytes. The same files with
        the same names count as identical, however the stored zip was compressed, dated or ordered, so an unchanged tree
        is never uploaded again, also from a controller whose zlib compresses differently. This keeps bundles as plain
        files in version control.
      - With O(extension_type=plugin), the archive must hold a plugin descriptor (C(plugin-descriptor.properties)
        or C(stable-plugin-descriptor.properties)) whose C(elasticsearch.version) equals O(version); this is
        checked before any request. For an existing extension the check uses the type and version the server
        holds when O(extension_type) or O(version) are left out, still before any write.
      - The zip's central directory is read before any request, so a truncated archive fails early.
      - A plugin archive whose descriptor names another Elasticsearch version than a deployment that uses the extension
        is refused before any write, naming those deployments (an archive that also disagrees with the extension's own
        version fails as described above).
      - A new archive for an extension that deployments use reaches their nodes only with their next plan change; the
        task warns, naming those deployments, and returns them in RV(in_use_by). Reload them with
        M(ece.platform.deployment_extensions) and O(ece.platform.deployment_extensions#module:reload=stale).
      - In a directory, symbolic links are followed only when they stay inside the directory; a link that leads
        outside it, dangles or loops fails before any request, naming the link.
      - For a zip file the upload happens when the extension has no archive yet, when the sizes differ, or when the sizes
        are equal but the SHA-256 of the server's copy (streamed from its C(file_metadata.url)) differs from
        the local file's. A zip file is compared byte for byte, since its entries' permissions and other attributes
        travel with it. When the server's copy cannot be read, the size decides and the module warns.
      - The digests computed are kept in a cache on the host that runs the module (C($XDG_CACHE_HOME/ece.platform) or
        C(~/.cache/ece.platform)), keyed by the stored archive's id, size and C(last_modified_date), so an unchanged
        archive is downloaded once, not on every run, and not at all after the module uploaded it itself. Set the
        environment variable E(ECE_DIGEST_CACHE=false) to turn the cache off. See the guide's section "When an archive
        is uploaded".
      - A missing, unreadable or empty file, a file that is not a zip archive, or an empty directory fails before
        any request is sent.
      - Mutually exclusive with O(download_url).
    type: path
  force_upload:
    description:
      - Upload O(file) even when the server's copy is identical. Reports a change on every run.
    type: bool
    default: false
  upload_mode:
    description:
      - How O(file) is sent. V(multipart) is the C(multipart/form-data) body of ECE's API reference, the archive in
        part C(file). V(raw) sends the archive itself as the body, with the content type C(application/zip), as Elastic's
        guide does with C(curl -T), for proxies and firewalls that refuse multipart bodies.
      - Either way the archive is streamed from disk, so memory use does not grow with its size.
    type: str
    choices: [multipart, raw]
    default: multipart
    version_added: 0.3.0
requirements:
  - requests-toolbelt (for uploads with O(file))
notes:
  - A create is never sent again blindly; after an unclear failure the module first checks whether the extension was created.
  - If the upload fails after the metadata was created or updated, the task fails with C(changed=true); the next run
    uploads the archive.
  - With O(id) and a new O(name) (a rename), a name another extension already carries is refused before any write,
    naming that extension's id.
  - Changing the O(version) of a plugin without a new archive warns that the stored archive was built for the
    old version.
  - Uploads stream the archive from disk, so memory use does not depend on the archive's size, and
    O(timeout) applies to each socket operation, not to the whole upload.
  - Nodes load extensions when they start; after changing an extension in use, a deployment needs a
    plan change (or a no-op plan) to pick up the new archive. The task warns and returns RV(in_use_by) then.
seealso:
  - module: ece.platform.extension_info
  - module: ece.platform.deployment_extensions
  - module: ece.platform.extension_set
  - name: ECE extensions API
    description: Elastic's reference for the deployment extensions API.
    link: https://www.elastic.co/docs/api/doc/cloud-enterprise/group/endpoint-extensions
'''

EXAMPLES = r'''
- name: Create a bundle that ECE downloads from a URL (pattern A)
  ece.platform.extension:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    ca_path: /etc/pki/ece-ca.pem
    name: synonyms
    extension_type: bundle
    version: "8.*"
    description: Company synonyms
    download_url: https://artifacts.example.com/synonyms-2024.zip

- name: Create a plugin from a local archive and upload it when its content changes (pattern B)
  ece.platform.extension:
    host: https://ece.example.com:12443
    username: admin
    password: "{{ ece_password }}"
    name: analysis-custom
    extension_type: plugin
    version: 8.15.1
    file: files/analysis-custom-8.15.1.zip

- name: One extension per build of a plugin, for two Elasticsearch versions side by side
  ece.platform.extension:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    name: analysis-custom
    identity: name_and_version
    extension_type: plugin
    version: "{{ item.version }}"
    file: "{{ item.file }}"
  loop:
    - {version: 8.15.1, file: files/analysis-custom-8.15.1.zip}
    - {version: 8.16.0, file: files/analysis-custom-8.16.0.zip}

- name: Set the connection once for many tasks
  module_defaults:
    group/ece.platform.ece:
      host: https://ece.example.com:12443
      api_key: "{{ ece_api_key }}"
  block:
    - name: Rename an extension, found by its id
      ece.platform.extension:
        id: "4226448541"
        name: analysis-custom-v2

    - name: Delete an extension
      ece.platform.extension:
        name: old-bundle
        state: absent
'''

RETURN = r'''
extension:
  description:
    - The extension as ECE returned it after the task. In check mode, the predicted object.
    - After O(state=absent), the extension as it was before deletion, or an empty dict when there was none.
  returned: always
  type: dict
  sample:
    id: "4226448541"
    name: analysis-custom
    extension_type: plugin
    version: 8.15.1
    description: Custom analysis plugin
    url: repo://4226448541
    download_url: null
    deployments: null
    file_metadata:
      size: 48213
      last_modified_date: "2026-11-28T12:41:16.138Z"
      url: https://ece.example.com:12443/files/4226448541.zip
  contains:
    id:
      description: Id ECE assigned to the extension.
      type: str
      returned: when the extension exists
    name:
      description: Name of the extension.
      type: str
      returned: when the extension exists
    extension_type:
      description: V(plugin) or V(bundle).
      type: str
      returned: when the extension exists
    version:
      description: Elasticsearch version the extension is for.
      type: str
      returned: when the extension exists
    description:
      description: Description of the extension.
      type: str
      returned: when one is set
    download_url:
      description:
        - The URL ECE copied the archive from (pattern A).
        - ECE is taken to keep reporting the URL given last even after an archive was uploaded with PUT (an
          assumption, see the guide's page of assumptions); the module leaves it out when the stored archive
          did not come from it (after a task with O(file)).
      type: str
      returned: when one is set and the stored archive came from it
    deployments:
      description: Deployments using the extension; V(null) unless ECE was asked to include them.
      type: list
      elements: str
      returned: when the extension exists
    url:
      description: The C(repo://) URL that deployment plans use to reference the extension.
      type: str
      returned: when the extension exists
    file_metadata:
      description: C(size), C(last_modified_date) and a temporary download C(url) of the stored archive.
      type: dict
      returned: when an archive is stored
in_use_by:
  description:
    - The deployments that use the extension, when the task stored (in check mode, would store) a new archive for it,
      from O(file) or O(download_url). They run the old copy until their next plan change; reload them with
      M(ece.platform.deployment_extensions) and O(ece.platform.deployment_extensions#module:reload=stale).
    - An empty list when nobody uses it. On a refusal by the safety rule, the failed result carries it too.
    - C(elasticsearch_version) is the version the deployment runs; V(null) when the deployment could not be read.
  returned: when a new archive went (or would go) to an existing extension, and on a refusal by the safety rule
  type: list
  elements: dict
  sample: [{id: 0a1214498c68421ca09908545a0e25ca, name: search-prod, elasticsearch_version: 8.15.1}]
  version_added: 0.3.0
diff:
  description: The managed fields before and after, with C(file) (C(size), C(sha256)) when O(file) is managed.
  returned: in diff mode
  type: dict
status:
  description: HTTP status of the failed API request.
  returned: on API failure
  type: int
  sample: 400
errors:
  description: ECE's list of errors (C(code), C(message), C(fields)) as sent.
  returned: on API failure
  type: list
  elements: dict
  sample:
    - code: extensions.extension_in_use
      message: Cannot delete extension [4226448541]. It is used by deployments [search-prod].
method:
  description: HTTP method of the failed API request.
  returned: on API failure
  type: str
  sample: DELETE
url:
  description: URL of the failed API request.
  returned: on API failure
  type: str
  sample: https://ece.example.com:12443/api/v1/deployments/extensions/4226448541
'''

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.ece.platform.plugins.module_utils._connection import client_from_module
from ansible_collections.ece.platform.plugins.module_utils._module import ece_module, run_or_fail
from ansible_collections.ece.platform.plugins.module_utils._options import EXTENSION_RULES, extension_options
from ansible_collections.ece.platform.plugins.module_utils._extension_state import DesiredExtension, ExtensionReconciler
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import ExtensionsApi
from ansible_collections.ece.platform.plugins.module_utils._multipart import HAS_TOOLBELT, TOOLBELT_IMPORT_ERROR


def main():
    module = ece_module(
        argument_spec=extension_options(),
        mutually_exclusive=[('download_url', 'file')],
        supports_check_mode=True,
        **EXTENSION_RULES
    )
    if module.params['file'] is not None and not HAS_TOOLBELT:
        module.fail_json(msg=missing_required_lib('requests-toolbelt', reason='to upload option file'), exception=TOOLBELT_IMPORT_ERROR)

    def converge():
        desired = DesiredExtension.from_params(module.params)
        desired.prepare(workdir=module.tmpdir)
        api = ExtensionsApi(client_from_module(module), check_mode=module.check_mode)
        result = ExtensionReconciler(api, warn=module.warn, diff=module._diff).run(desired)
        if not module._diff:
            result.pop('diff', None)
        return result

    run_or_fail(module, converge)


if __name__ == '__main__':
    main()
