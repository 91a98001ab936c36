# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the items of deployment_extensions' option `extensions` (pure logic).

- parse and check each item (a name, or a dict with name or id, elasticsearch_version, replaces);
- choose the extension an item means: by id, or by name; when several extensions share the name
  (one build of a plugin per Elasticsearch version), the one build that fits the deployment;
- what an item `replaces`: the plan entries (by extension id, extension name or plan label) that the
  same plan change detaches, so a swap never leaves a window with neither or both.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._deployment_plan import version_matches
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError, named_alike
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import plan_url
from ansible_collections.ece.platform.plugins.module_utils._plan_merge import Attachable, entry_names

ITEM_KEYS = ('name', 'id', 'elasticsearch_version', 'replaces')
TEXT_KEYS = ('name', 'id', 'elasticsearch_version')


def _text(value, where):
    if value is not None and not isinstance(value, bool) and not isinstance(value, (list, dict)) and str(value).strip():
        return str(value).strip()
    if value is not None:
        raise EceError('%s must be a non-empty string, not %r.' % (where, value))
    return None


def parse_items(items, state='present'):
    """Option extensions as a list of {name, id, elasticsearch_version, replaces} (None / [] when not given).

    Fails on the first bad item, naming it by index, before any request.
    """
    parsed = []
    for index, item in enumerate(items or []):
        where = 'extensions[%d]' % index
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            item = {'name': str(item)}
        if not isinstance(item, dict):
            raise EceError('%s must be an extension name or a dict with name or id (and optionally elasticsearch_version and '
                           'replaces), not %r.' % (where, item))
        unknown = sorted(set(item) - set(ITEM_KEYS))
        if unknown:
            raise EceError('%s has unknown key%s %s; the keys are %s.'
                           % (where, 's' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(ITEM_KEYS)))
        clean = {key: _text(item.get(key), '%s.%s' % (where, key)) for key in TEXT_KEYS}
        if clean['name'] is None and clean['id'] is None:
            raise EceError('%s needs name or id.' % where)
        replaces = item.get('replaces')
        if replaces is None:
            replaces = []
        if not isinstance(replaces, list):
            replaces = [replaces]
        clean['replaces'] = [_text(ref, '%s.replaces[%d]' % (where, number)) for number, ref in enumerate(replaces)]
        if any(ref is None for ref in clean['replaces']):
            raise EceError('%s.replaces must list names or ids of extensions, not null.' % where)
        if clean['replaces'] and state == 'absent':
            raise EceError('%s has replaces, which works with state=present only (attach this, detach those in the same plan '
                           'change). With state=absent, list the extensions to detach.' % where)
        parsed.append(clean)
    return parsed


def fits(extension, es_version):
    """Whether the extension's own version lets it run on `es_version` (a plugin: equal; a bundle: also a wildcard)."""
    return version_matches(extension.get('extension_type'), extension.get('version'), es_version)


def _candidates(found):
    return ', '.join('id %s version %s' % (ext.get('id'), ext.get('version'))
                     for ext in sorted(found, key=lambda e: (str(e.get('version')), str(e.get('id')))))


# Check mode sends no write, so an extension an earlier task of the play would create is not there yet.
CHECK_MODE_HINT = (' In check mode, an extension that an earlier task of this run would create or change is not on the '
                   'server yet, so this task cannot find it; the real run will.')


def select_build(name, found, es_version, label, hint=''):
    """The one extension among `found` (several share `name`) that fits Elasticsearch `es_version`; else fail."""
    fitting = [ext for ext in found if fits(ext, es_version)]
    if len(fitting) == 1:
        return fitting[0]
    if fitting:
        raise EceError('%s and %d of them fit Elasticsearch %s of deployment %s (%s). Give the id of the one you mean.'
                       % (named_alike(len(found), 'extensions', name), len(fitting), es_version, label, _candidates(fitting)))
    raise EceError('%s (%s), and none fits Elasticsearch %s of deployment %s. Create a build for %s '
                   '(ece.platform.extension with identity name_and_version), or give the id of the one you mean.%s'
                   % (named_alike(len(found), 'extensions', name), _candidates(found), es_version, label, es_version, hint))


def resolve(items, listed, get_by_id, state, es_version=None, label='', plan=None, check_mode=False):
    """Attachables for the items, from the listed extensions (one read), else by id; fails on none or several.

    Detaching needs no lookup to succeed: an id ECE does not know still names `repo://<id>`; a name that no
    extension carries but a plan entry is labelled with (left by a rename) detaches that entry; a name that
    several extensions carry detaches those of them the plan references.
    """
    labels = entry_names(plan or {})
    hint = CHECK_MODE_HINT if check_mode else ''
    resolved = []
    for item in items:
        if item['id'] is not None:
            found = [ext for ext in listed if str(ext.get('id')) == item['id']] or [e for e in [get_by_id(item['id'])] if e]
            if not found:
                if state == 'absent':
                    resolved.append(Attachable({'id': item['id'], 'name': item['name'] or item['id']}))
                    continue
                raise EceError('No extension has id %s. Check the id with ece.platform.extension_info.%s' % (item['id'], hint))
            if item['name'] is not None and found[0].get('name') != item['name']:
                raise EceError('Extension id %s is named %s, not %s; give the right name, or only the id.'
                               % (item['id'], found[0].get('name'), item['name']))
            resolved.append(Attachable(found[0], item['elasticsearch_version']))
            continue
        found = [ext for ext in listed if ext.get('name') == item['name']]
        if state == 'absent':
            attached = [ext for ext in found if plan_url(ext) in labels]
            resolved.extend(Attachable(ext) for ext in (attached if len(found) > 1 else found))
            if not found:
                # A plan label left by a rename: the operator sees this name in the plan and in the UI.
                resolved.extend(Attachable({'id': url, 'name': item['name'], 'url': url})
                                for url, name in labels.items() if name == item['name'])
            continue
        if not found:
            raise EceError('No extension is named %s. Create it first (ece.platform.extension), or check the name with '
                           'ece.platform.extension_info.%s' % (item['name'], hint))
        chosen = found[0] if len(found) == 1 else select_build(item['name'], found, es_version, label, hint)
        resolved.append(Attachable(chosen, item['elasticsearch_version']))
    return resolved


def replaced_urls(items, wanted, listed, plan, warn):
    """The urls that the items' `replaces` detach, in the plan change that attaches the items.

    Each reference is an extension id, an extension name (every build of it), or a plan entry's label.
    The items' own extensions are never among them, and a reference to another listed item fails.
    """
    labels = entry_names(plan)
    own = {ext.url for ext in wanted}
    urls = set()
    for index, (item, ext) in enumerate(zip(items, wanted)):
        for ref in item['replaces']:
            matched = {plan_url(e) for e in listed if str(e.get('id')) == ref or e.get('name') == ref}
            matched.update(url for url, name in labels.items() if name == ref)
            # The id of an extension deleted since: its entry still names repo://<id>.
            matched.update(url for url in labels if url == 'repo://%s' % ref)
            clash = sorted(other.name for other in wanted if other.url in matched and other.url != ext.url)
            if clash:
                raise EceError('extensions[%d] (%s) replaces %s, which this task also attaches (%s); nothing was sent. Remove '
                               'one of the two.' % (index, ext.name, ref, ', '.join(clash)))
            if not matched and ext.url not in labels:
                # A misspelt reference would attach the new build next to the old one, the state replaces exists to
                # avoid (issue 17 trial): fail closed while the swap is still to be made.
                raise EceError('extensions[%d] (%s) replaces %s, but no extension and no plan entry has that name or id, so '
                               'attaching %s would leave what it should replace in place; nothing was sent. Correct the '
                               'reference (the plan holds: %s), or leave replaces out.'
                               % (index, ext.name, ref, ext.name, ', '.join(sorted(set(labels.values()))) or 'no extension'))
            names_itself = ext.url in matched
            matched.discard(ext.url)
            if not matched and names_itself:
                # replaces: [its own name] swaps the other builds of that name; here there is no other build.
                warn('extensions[%d] (%s) replaces %s, which is this item itself; no other build of that name is listed or '
                     'attached, so there is nothing to replace.' % (index, ext.name, ref))
            elif not matched:
                # Already attached: a swap done earlier whose old build is gone since, so a rerun converges.
                warn('extensions[%d] (%s) replaces %s, but no extension and no plan entry has that name or id; there is '
                     'nothing to replace.' % (index, ext.name, ref))
            urls.update(matched - own)
    for index, (item, ext) in enumerate(zip(items, wanted)):
        others = sorted(url for url, _name in labels.items() if url != ext.url and url not in urls and url not in own
                        and any(plan_url(e) == url and e.get('name') == ext.name for e in listed))
        if others:
            # Two builds of one plugin in a plan: the old one does not fit, or both load. Say how to swap instead.
            warn('extensions[%d] (%s): another extension of that name stays attached (%s). To swap builds in one plan '
                 'change, give replaces: [%s].' % (index, ext.name, ', '.join(others), ext.name))
    return urls
