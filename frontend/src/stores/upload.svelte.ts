// The Upload view's state, kept here rather than in the component so that an
// upload's form, file and progress survive switching views. Go does the work:
// it inspects the archive, checks the destination, pre-flights and pushes.
import {
  upload as api,
  type Destination,
  type Drop,
  type Inspection,
  type Preflight,
  type UploadProgress,
  type UploadRequest,
} from '../lib/api';
import { parseError, type UIError } from '../lib/errors';
import { profileStore, currentProfile } from './profiles.svelte';

export type Kind = 'base' | 'business';

export interface UploadForm {
  kind: Kind;
  image: number;
  repo: string;
  project: string;
  name: string;
  version: string;
  category: string;
  description: string;
}

const emptyForm = (): UploadForm => ({
  kind: 'base',
  image: 0,
  repo: '',
  project: '',
  name: '',
  version: '',
  category: '',
  description: '',
});

export const uploadStore = $state({
  inspection: null as Inspection | null,
  dropError: null as (UIError & { path: string }) | null,
  inspecting: false,
  form: emptyForm(),
  /** Fields the user has typed in or left; rules show only for these. */
  touched: {} as Record<string, boolean>,
  dest: null as Destination | null,
  /** Set while the user decides whether to overwrite an existing version. */
  confirm: null as Preflight | null,
  checking: false,
  error: null as UIError | null,
  /** This session's uploads, newest first. */
  runs: [] as UploadProgress[],
  /** The task the form shows the progress of. */
  active: '',
});

let subscribed = false;

/** Subscribes to drops and progress for the app's lifetime, once. */
export async function startUploads(): Promise<void> {
  if (subscribed) return;
  subscribed = true;
  api.onDropped(onDrop);
  api.onProgress(upsert);
  const runs = await api.current();
  for (const r of runs.reverse()) upsert(r);
}

let lastDrop = 0;

function onDrop(d: Drop): void {
  if (d.seq <= lastDrop) return; // an older event overtaken by a newer one
  lastDrop = d.seq;
  uploadStore.inspecting = !!d.inspecting;
  if (d.inspecting) return;
  if (d.inspection) {
    applyInspection(d.inspection);
    return;
  }
  uploadStore.inspection = null;
  const code = d.errorCode ?? 'unknown';
  uploadStore.dropError = { code, detail: d.detail ?? '', path: d.path };
}

/** Takes a new archive: pre-fills name and version from its tags. */
export function applyInspection(ins: Inspection): void {
  uploadStore.inspection = ins;
  uploadStore.dropError = null;
  uploadStore.error = null;
  uploadStore.active = '';
  chooseImage(0);
}

/** Picks image i of a multi-image archive and takes its tag. */
export function chooseImage(i: number): void {
  const img = uploadStore.inspection?.images[i];
  uploadStore.form.image = i;
  if (img?.name) uploadStore.form.name = img.name;
  if (img?.version) uploadStore.form.version = img.version;
  void refreshDestination();
}

/** Keeps the newest snapshot of each upload: Wails may deliver events out of order. */
function upsert(p: UploadProgress): void {
  const i = uploadStore.runs.findIndex((x) => x.taskId === p.taskId);
  if (i < 0) uploadStore.runs.unshift(p);
  else if (p.seq > uploadStore.runs[i].seq) uploadStore.runs[i] = p;
}

/** The upload the form shows, if any. */
export function activeRun(): UploadProgress | undefined {
  return uploadStore.runs.find((r) => r.taskId === uploadStore.active);
}

/** Hands a path to Go exactly as a native drop does. */
export async function dropPath(path: string): Promise<void> {
  uploadStore.inspecting = true;
  try {
    await api.dropped([path]);
  } catch {
    // The upload:dropped event carries the reason.
  } finally {
    uploadStore.inspecting = false;
  }
}

/** Opens the native file dialog. */
export async function pickFile(): Promise<void> {
  uploadStore.inspecting = true;
  try {
    const ins = await api.pick();
    if (ins.path) applyInspection(ins);
  } catch (e) {
    if (!uploadStore.dropError) uploadStore.error = parseError(e);
  } finally {
    uploadStore.inspecting = false;
  }
}

export function request(overwrite = false): UploadRequest {
  const f = uploadStore.form;
  return {
    profile: profileStore.current,
    archive: uploadStore.inspection?.path ?? '',
    image: f.image,
    repo: f.repo,
    project: f.kind === 'business' ? f.project.trim() : '',
    name: f.name.trim(),
    version: f.version.trim(),
    category: f.category.trim(),
    description: f.description.trim(),
    overwrite,
  };
}

/** The repositories of the current profile of one kind. */
export function reposOf(kind: Kind) {
  return (currentProfile()?.profile.repos ?? []).filter((r) => r.kind === kind);
}

let seq = 0;

/** Asks Go for the exact reference and the rule each field breaks. */
export async function refreshDestination(): Promise<void> {
  if (!profileStore.current) return;
  const mine = ++seq;
  try {
    const d = await api.destination(request());
    if (mine === seq) uploadStore.dest = d;
  } catch (e) {
    if (mine === seq) uploadStore.error = parseError(e);
  }
}

/** Pre-flight, then push or ask to overwrite. */
export async function submit(): Promise<void> {
  for (const k of ['repo', 'project', 'name', 'version', 'category', 'description']) {
    uploadStore.touched[k] = true;
  }
  uploadStore.error = null;
  await refreshDestination();
  if (!uploadStore.inspection || !uploadStore.dest?.ref) return;
  uploadStore.checking = true;
  try {
    const pf = await api.preflight(request());
    if (pf.exists) uploadStore.confirm = pf;
    else await push(false);
  } catch (e) {
    uploadStore.error = parseError(e);
  } finally {
    uploadStore.checking = false;
  }
}

export async function push(overwrite: boolean): Promise<void> {
  uploadStore.confirm = null;
  try {
    uploadStore.active = await api.start(request(overwrite));
  } catch (e) {
    uploadStore.error = parseError(e);
  }
}

/** Resumes a History row's upload; the Upload view then shows it. */
export async function resume(historyId: number): Promise<string> {
  await startUploads();
  const id = await api.resume(historyId);
  uploadStore.active = id;
  return id;
}

/** Clears the file and the result to start another upload; keeps the destination. */
export function reset(): void {
  uploadStore.inspection = null;
  uploadStore.dropError = null;
  uploadStore.error = null;
  uploadStore.active = '';
  uploadStore.touched = {};
}
