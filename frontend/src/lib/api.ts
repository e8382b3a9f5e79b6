// The only module that calls the Go bindings and the Wails runtime. Views and
// stores import from here, so the bridge can be read, typed and replaced in one place.
import * as Shell from '../../wailsjs/go/app/Shell';
import * as Tasks from '../../wailsjs/go/app/Tasks';
import * as Profiles from '../../wailsjs/go/app/Profiles';
import * as History from '../../wailsjs/go/app/History';
import * as Upload from '../../wailsjs/go/app/Upload';
import * as Browse from '../../wailsjs/go/app/Browse';
import * as Reports from '../../wailsjs/go/app/Reports';
import type { app, store } from '../../wailsjs/go/models';
import { EventsOn } from '../../wailsjs/runtime/runtime';

export type BuildInfo = app.BuildInfo;
export type Settings = app.Settings;
export type Appearance = app.Appearance;

export type TaskState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Task {
  id: string;
  kind: string;
  subject: string;
  state: TaskState;
  done: number;
  total: number;
  rate: number;
  errorCode?: string;
  detail?: string;
  started: string;
  ended?: string;
  seq: number;
}

export const shell = {
  info: (): Promise<BuildInfo> => Shell.Info(),
  appearance: (): Promise<Appearance> => Shell.Appearance(),
  saveSettings: (s: Settings): Promise<Appearance> => Shell.SaveSettings(s),
  directories: (): Promise<Record<string, string>> => Shell.Directories(),
  /** Tells Go the shell is on screen; it logs the time since start (debug). */
  firstPaint: (): Promise<void> => Shell.FirstPaint(),
};

export const tasks = {
  list: async (): Promise<Task[]> => (await Tasks.List()) as unknown as Task[],
  cancel: (id: string): Promise<void> => Tasks.Cancel(id),
  clearFinished: (): Promise<void> => Tasks.ClearFinished(),
  /** Calls fn for every task update; returns the function that unsubscribes. */
  onUpdate: (fn: (t: Task) => void): (() => void) =>
    EventsOn('tasks:update', (t: Task) => fn(t)),
};

export type RepoKind = 'base' | 'business';
/** A repository of a profile; its id stays a string (ids can exceed 2^53). */
export interface Repo {
  name: string;
  id: string;
  kind: RepoKind;
}

export interface Profile {
  id: number;
  name: string;
  api_url: string;
  registry: string;
  plain_http: boolean;
  ca_file?: string;
  insecure: boolean;
  proxy?: string;
  ref_template?: string;
  user: string;
  repos: Repo[];
  sandbox: boolean;
  rekor_url?: string;
  verify_before_pull: boolean;
  fixed_compression?: boolean;
  trusted_keys?: string[];
}

export interface ProfileView {
  profile: Profile;
  hasPassword: boolean;
  sessionOnly: boolean;
}

export interface ProfileInput {
  profile: Profile;
  password: string;
  sessionOnly: boolean;
}

export interface Check {
  ok: boolean;
  code?: string;
  detail?: string;
  ms: number;
}

export interface TestResult {
  api: Check;
  registry: Check;
}

export interface KeyringInfo {
  available: boolean;
  code?: string;
}

export const profiles = {
  list: async (): Promise<ProfileView[]> =>
    (await Profiles.List()) as unknown as ProfileView[],
  save: async (input: ProfileInput): Promise<ProfileView> =>
    (await Profiles.Save(input as unknown as app.ProfileInput)) as unknown as ProfileView,
  remove: (name: string): Promise<void> => Profiles.Delete(name),
  test: (name: string): Promise<TestResult> => Profiles.Test(name),
  keyring: (): Promise<KeyringInfo> => Profiles.Keyring(),
};

export type EventKind = 'upload' | 'download' | 'sign' | 'verify' | 'report' | 'profile' | 'login';
export type EventStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface HistoryEvent {
  id: number;
  kind: EventKind;
  status: EventStatus;
  started_at: string;
  ended_at?: string;
  profile: string;
  repo: string;
  image: string;
  version: string;
  ref: string;
  digest: string;
  bytes: number;
  duration_ms: number;
  error_code: string;
  error_detail: string;
}

export interface HistoryFilter {
  kinds: string[];
  statuses: string[];
  profile: string;
  text: string;
  from?: string;
  to?: string;
  before_id: number;
  limit: number;
}

export interface HistoryPage {
  events: HistoryEvent[];
  total: number;
  next_before_id: number;
}

export const history = {
  query: async (f: HistoryFilter): Promise<HistoryPage> =>
    (await History.Query(f as unknown as store.Filter)) as unknown as HistoryPage,
  saveCSV: (f: HistoryFilter): Promise<string> =>
    History.SaveCSV(f as unknown as store.Filter),
};


export interface Listed {
  offline: boolean;
  fetchedAt: string;
  errorCode?: string;
}

export interface ImageEntry {
  namespace: string;
  name: string;
  path: string;
}

export interface ImageList extends Listed {
  images: ImageEntry[];
}

export interface VersionEntry {
  name: string;
  newest: boolean;
  signed: boolean;
  attested: boolean;
}

export interface VersionList extends Listed {
  versions: VersionEntry[];
  sigTags: string[];
}

export interface LayerView {
  digest: string;
  size: number;
  mediaType: string;
}

export interface VersionDetails {
  reference: string;
  digest: string;
  mediaType: string;
  size: number;
  created?: string;
  platform: string;
  layers: LayerView[];
  category: string;
  description: string;
  signatureTag: string;
}

export interface ReportView {
  state: 'ready' | 'pending' | 'failed';
  failure?: string;
  errorCode?: string;
  path?: string;
  size: number;
  fetchedAt?: string;
  offline: boolean;
  summary?: {
    sheets: { name: string; rows: number }[];
    findings?: Record<string, number>;
    fields?: Record<string, string>;
  };
}

export const browse = {
  images: async (profile: string, repoId: string): Promise<ImageList> =>
    (await Browse.Images(profile, repoId)) as unknown as ImageList,
  versions: async (profile: string, repoId: string, path: string): Promise<VersionList> =>
    (await Browse.Versions(profile, repoId, path)) as unknown as VersionList,
  details: async (
    profile: string,
    repoId: string,
    namespace: string,
    image: string,
    version: string,
    sigTags: string[],
  ): Promise<VersionDetails> =>
    (await Browse.Details(profile, repoId, namespace, image, version, sigTags)) as unknown as VersionDetails,
};

export const scanReports = {
  fetch: async (
    profile: string,
    repoId: string,
    namespace: string,
    image: string,
    version: string,
  ): Promise<ReportView> =>
    (await Reports.Fetch(profile, repoId, namespace, image, version)) as unknown as ReportView,
  open: (path: string): Promise<void> => Reports.Open(path),
  saveAs: (path: string): Promise<string> => Reports.SaveAs(path),
};

// Upload: inspect an archive (dropped, picked or injected by path), check the
// destination as the user types, pre-flight, push as a task, resume from History.
export interface LayerInfo {
  diffId: string;
  digest?: string;
  size: number;
  mediaType: string;
  compressed: boolean;
}

export interface ImageInfo {
  index: number;
  tags: string[];
  name: string;
  version: string;
  digest?: string;
  configDigest: string;
  os: string;
  arch: string;
  variant?: string;
  created: string;
  layers: LayerInfo[];
  totalSize: number;
}

export interface Inspection {
  path: string;
  format: string;
  gzipped: boolean;
  size: number;
  images: ImageInfo[];
}

export interface Drop {
  seq: number;
  path: string;
  inspecting?: boolean;
  inspection?: Inspection;
  errorCode?: string;
  detail?: string;
}

export interface UploadRequest {
  profile: string;
  archive: string;
  image: number;
  repo: string;
  project: string;
  name: string;
  version: string;
  category: string;
  description: string;
  overwrite: boolean;
}

export interface Destination {
  ref: string;
  namespace: string;
  kind: string;
  fields: Record<string, string>;
}

export interface Preflight {
  ref: string;
  exists: boolean;
  digest?: string;
}

export interface UploadLayer {
  diffId: string;
  digest?: string;
  done: number;
  total: number;
  state: string;
}

export interface UploadResult {
  historyId: number;
  ref: string;
  digest: string;
  pinned: string;
  size: number;
  uploaded: number;
  skipped: number;
  layers: number;
  ms: number;
}

export interface UploadProgress {
  /** Grows with every snapshot; events can arrive out of order. */
  seq: number;
  taskId: string;
  historyId: number;
  ref: string;
  phase: string;
  state: TaskState;
  layers: UploadLayer[] | null;
  done: number;
  total: number;
  rate: number;
  eta: number;
  result?: UploadResult;
  errorCode?: string;
  detail?: string;
}

type AppUploadRequest = Parameters<typeof Upload.Start>[0];

export const upload = {
  /** The entry a native file drop uses; also callable with a path. */
  dropped: async (paths: string[]): Promise<Inspection> =>
    (await Upload.Dropped(paths)) as unknown as Inspection,
  pick: async (): Promise<Inspection> => (await Upload.Pick()) as unknown as Inspection,
  destination: async (r: UploadRequest): Promise<Destination> =>
    (await Upload.Destination(r as unknown as AppUploadRequest)) as unknown as Destination,
  preflight: async (r: UploadRequest): Promise<Preflight> =>
    (await Upload.Preflight(r as unknown as AppUploadRequest)) as unknown as Preflight,
  start: (r: UploadRequest): Promise<string> => Upload.Start(r as unknown as AppUploadRequest),
  resume: (historyId: number): Promise<string> => Upload.Resume(historyId),
  current: async (): Promise<UploadProgress[]> =>
    (await Upload.Current()) as unknown as UploadProgress[],
  onDropped: (fn: (d: Drop) => void): (() => void) =>
    EventsOn('upload:dropped', (d: Drop) => fn(d)),
  onProgress: (fn: (p: UploadProgress) => void): (() => void) =>
    EventsOn('upload:progress', (p: UploadProgress) => fn(p)),
};

// Signing keys, signatures and downloads.
import * as Signing from '../../wailsjs/go/app/Signing';
import * as Download from '../../wailsjs/go/app/Download';

export interface KeyView {
  id: string;
  fingerprint: string;
  publicPath: string;
  privatePath: string;
  hasPassphrase: boolean;
}

export type Badge = 'unsigned' | 'signed_unverified' | 'verified' | 'invalid';

export interface VerifyView {
  badge: Badge;
  digest: string;
  fingerprint?: string;
  signatures: number;
  detail?: string;
}

export const signing = {
  keys: async (): Promise<KeyView[]> => (await Signing.Keys()) as KeyView[],
  generate: async (passphrase: string, sessionOnly: boolean): Promise<KeyView> =>
    (await Signing.GenerateKey(passphrase, sessionOnly)) as KeyView,
  importKey: async (priv: string, pub: string, passphrase: string, sessionOnly: boolean) =>
    (await Signing.ImportKey(priv, pub, passphrase, sessionOnly)) as KeyView,
  sign: async (p: string, repo: string, ns: string, image: string, version: string, key: string) =>
    (await Signing.Sign(p, repo, ns, image, version, key)) as VerifyView,
  verify: async (p: string, repo: string, ns: string, image: string, version: string) =>
    (await Signing.Verify(p, repo, ns, image, version)) as VerifyView,
};

export const download = {
  /** Asks where to save, then starts the download task; "" when cancelled. */
  choose: (p: string, repo: string, ns: string, image: string, version: string, format: string) =>
    Download.Choose(p, repo, ns, image, version, format),
  to: (p: string, repo: string, ns: string, image: string, version: string, format: string,
    path: string) => Download.To(p, repo, ns, image, version, format, path),
};
