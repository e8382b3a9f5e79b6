// The Browse view's state lives here, not in the component, so a selection
// survives switching views.
import {
  browse as api,
  type ImageList,
  type VersionList,
  type VersionDetails,
} from '../lib/api';
import { parseError } from '../lib/errors';

export interface Selection {
  repoId: string;
  namespace: string;
  image: string;
  path: string;
}

export const browseStore = $state({
  profile: '',
  expanded: {} as Record<string, boolean>,
  images: {} as Record<string, ImageList>,
  imageErrors: {} as Record<string, string>,
  selected: null as Selection | null,
  versions: null as VersionList | null,
  versionsError: '',
  loadingVersions: false,
  version: '',
  details: null as VersionDetails | null,
  detailsError: '',
  filter: '',
});

/** Forgets everything when the profile changes. */
export function useProfile(name: string): void {
  if (browseStore.profile === name) return;
  Object.assign(browseStore, {
    profile: name,
    expanded: {},
    images: {},
    imageErrors: {},
    selected: null,
    versions: null,
    version: '',
    details: null,
  });
}

export async function toggleRepo(repoId: string): Promise<void> {
  browseStore.expanded[repoId] = !browseStore.expanded[repoId];
  if (browseStore.expanded[repoId]) await loadImages(repoId);
}

export async function loadImages(repoId: string): Promise<void> {
  try {
    browseStore.images[repoId] = await api.images(browseStore.profile, repoId);
    delete browseStore.imageErrors[repoId];
  } catch (e) {
    browseStore.imageErrors[repoId] = parseError(e).code;
  }
}

let versionSeq = 0;

export async function selectImage(sel: Selection): Promise<void> {
  const mine = ++versionSeq;
  browseStore.selected = sel;
  browseStore.versions = null;
  browseStore.versionsError = '';
  browseStore.version = '';
  browseStore.details = null;
  browseStore.loadingVersions = true;
  try {
    const v = await api.versions(browseStore.profile, sel.repoId, sel.path);
    if (mine === versionSeq) browseStore.versions = v;
  } catch (e) {
    if (mine === versionSeq) browseStore.versionsError = parseError(e).code;
  } finally {
    if (mine === versionSeq) browseStore.loadingVersions = false;
  }
}

let detailSeq = 0;

export async function selectVersion(version: string): Promise<void> {
  const sel = browseStore.selected;
  if (!sel) return;
  const mine = ++detailSeq;
  browseStore.version = version;
  browseStore.details = null;
  browseStore.detailsError = '';
  try {
    const d = await api.details(browseStore.profile, sel.repoId, sel.namespace, sel.image,
      version, browseStore.versions?.sigTags ?? []);
    if (mine === detailSeq) browseStore.details = d;
  } catch (e) {
    if (mine === detailSeq) browseStore.detailsError = parseError(e).code;
  }
}
