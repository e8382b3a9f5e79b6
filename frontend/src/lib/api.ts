// The only module that calls the Go bindings and the Wails runtime. Views and
// stores import from here, so the bridge can be read, typed and replaced in one place.
import * as Shell from '../../wailsjs/go/app/Shell';
import * as Tasks from '../../wailsjs/go/app/Tasks';
import * as Profiles from '../../wailsjs/go/app/Profiles';
import * as History from '../../wailsjs/go/app/History';
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
}

export const shell = {
  info: (): Promise<BuildInfo> => Shell.Info(),
  appearance: (): Promise<Appearance> => Shell.Appearance(),
  saveSettings: (s: Settings): Promise<Appearance> => Shell.SaveSettings(s),
  directories: (): Promise<Record<string, string>> => Shell.Directories(),
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
