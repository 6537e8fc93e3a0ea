// Fixtures of the extension-host suites. The workspace is the example pipeline (one per VS Code
// instance, shared by every test), so a test that writes — events, flags, notes, files — does it
// in a fresh copy of the example, opened through the `mltrace.storeDirectory` setting and closed
// again at its end: the tests that only read see the example as generated, whatever ran before.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MltraceApi } from '../../src/extension';
import { EXTENSION_ID, SETTINGS_SECTION, Settings } from '../../src/vscode/constants';

export const folder = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string | (() => string),
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(50);
  }
}

/** The extension's API once it has activated on its own and opened the workspace's store. */
export async function activatedApi(): Promise<MltraceApi> {
  const extension = vscode.extensions.getExtension<MltraceApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is installed`);
  await waitFor('activation on workspaceContains:.mltrace', () => extension.isActive, 30_000);
  const api = extension.exports;
  assert.ok(await api.service.whenReady(), api.service.openError ?? 'the store opened');
  return api;
}

/** Resolves at the service's next `onDidChange` (an ingest that read something, a reopen). */
export function nextChange(api: MltraceApi): Promise<void> {
  return new Promise<void>((resolve) => {
    const subscription = api.service.onDidChange(() => {
      subscription.dispose();
      resolve();
    });
  });
}

/** Opens the store `storeDirectory` (relative to the workspace; undefined: the default) names. */
export async function openStoreDirectory(api: MltraceApi, storeDirectory: string | undefined): Promise<void> {
  const expected = path.join(folder(), storeDirectory ?? '.mltrace');
  // Not any change: an ingest of the store still open may come first.
  const reopened = new Promise<void>((resolve) => {
    const subscription = api.service.onDidChange(() => {
      if (api.service.location?.storeDir !== expected) return;
      subscription.dispose();
      resolve();
    });
  });
  await vscode.workspace
    .getConfiguration(SETTINGS_SECTION)
    .update(Settings.storeDirectory, storeDirectory, vscode.ConfigurationTarget.Workspace);
  await Promise.race([
    reopened,
    sleep(15_000).then(() => Promise.reject(new Error(`the store ${expected} was not opened`))),
  ]);
  assert.ok(await api.service.whenReady(), api.service.openError ?? `the store ${expected} is open`);
}

let pristine: string | undefined;

/** Copies the example workspace as it is now (call before any test writes): `freshStore` copies it again. */
export function keepPristineCopy(): void {
  const workspace = folder();
  pristine ??= path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-pristine-')),
    path.basename(workspace),
  );
  fs.cpSync(workspace, pristine, {
    recursive: true,
    preserveTimestamps: true, // staleness compares files with what runs recorded
    filter: (source) => {
      const relative = path.relative(workspace, source);
      return !['.vscode', 'fixtures', path.join('.mltrace', 'lineage.sqlite')].includes(relative);
    },
  });
}

export interface Fixture {
  /** The copy's folder (the store's root: pointer names are relative to it). */
  root: string;
  uri(relative: string): vscode.Uri;
  /** Reopens the workspace's own store and deletes the copy. */
  dispose(): Promise<void>;
}

let fixtures = 0;

/** A fresh copy of the example under `fixtures/`, its store open in place of the workspace's. */
export async function freshStore(api: MltraceApi, name: string): Promise<Fixture> {
  assert.ok(pristine, 'keepPristineCopy() ran in suiteSetup');
  const parent = path.join(folder(), 'fixtures', `${name.replace(/\W+/g, '-')}-${++fixtures}`);
  // Named like the workspace folder: the namespace of new events is the root's name.
  const root = path.join(parent, path.basename(pristine));
  fs.cpSync(pristine, root, { recursive: true, preserveTimestamps: true });
  await openStoreDirectory(
    api,
    path.relative(folder(), path.join(root, '.mltrace')).split(path.sep).join('/'),
  );
  return {
    root,
    uri: (relative) => vscode.Uri.file(path.join(root, ...relative.split('/'))),
    async dispose() {
      await openStoreDirectory(api, undefined);
      fs.rmSync(parent, { recursive: true, force: true });
    },
  };
}

/** The extension, activated with its store open, and a fresh copy of the example (a suite's setup). */
export async function activatedWithFreshStore(name: string): Promise<{ api: MltraceApi; fixture: Fixture }> {
  const extension = vscode.extensions.getExtension<MltraceApi>(EXTENSION_ID)!;
  const api = extension.isActive ? extension.exports : await extension.activate();
  assert.ok(await api.service.whenReady(), 'the store opened');
  keepPristineCopy();
  return { api, fixture: await freshStore(api, name) };
}
