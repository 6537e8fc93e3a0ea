// `mltrace run`: runs any command (argv array, never a shell string), streams its output, and logs
// it as a run: START before, COMPLETE or FAIL after, with exit status and file fingerprints.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitInfo } from '../core/git';
import { normalizePointerName } from '../core/pointers';
import { StoreLocation } from '../core/storeDir';
import { exitWaitMs, sendAsLogged } from '../core/openlineage/live';
import { EventWriter, RunHandle } from '../core/writer';

export interface RunCommandOptions {
  location: StoreLocation;
  component: string;
  inputs: string[];
  outputs: string[];
  tags: string[];
  command: string[];
}

/** Runs the command and returns its exit status (128 + signal number when killed by a signal). */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const { location } = options;
  const writer = new EventWriter(location, 'run');
  const log = (what: () => void) => {
    try {
      what();
    } catch (error) {
      // Logging must never stop the command: warn once and carry on.
      if (!warned)
        process.stderr.write(`mltrace: could not log to ${location.storeDir}: ${(error as Error).message}\n`);
      warned = true;
    }
  };
  let warned = false;
  const emitter = sendAsLogged(writer, (message) => process.stderr.write(`mltrace: ${message}\n`));
  const pointer = (name: string) => ({ name: normalizePointerName(name, location.root) });
  const git = gitInfo(location.root);
  const script = options.command.slice(1).find((arg) => !arg.startsWith('-') && isFile(arg));
  let handle: RunHandle | undefined;
  if (options.tags.length) log(() => writer.defineComponent({ name: options.component, tags: options.tags }));
  log(() => {
    handle = writer.startRun({
      component: options.component,
      inputs: options.inputs.map(pointer),
      source: {
        gitHash: git?.hash,
        gitTags: git?.tags,
        sourceFile: script ? normalizePointerName(script, location.root) : null,
      },
    });
  });

  const child = spawn(options.command[0], options.command.slice(1), { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    },
  );
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);

  const exitCode = result.error ? 127 : (result.code ?? 128 + signalNumber(result.signal));
  const ok = exitCode === 0;
  const message = result.error
    ? `Could not start ${options.command[0]}: ${result.error.message}`
    : result.signal
      ? `Killed by ${result.signal}`
      : `Exited with status ${exitCode}`;
  if (result.error) process.stderr.write(`mltrace: ${message}\n`);
  log(() => {
    if (!handle) return;
    writer.endRun(handle, {
      status: ok ? 'complete' : 'failed',
      outputs: options.outputs.map(pointer),
      error: ok ? undefined : { message, language: 'shell' },
      exit: { exitCode, command: options.command },
    });
  });
  writer.close();
  // What is still in flight to the OpenLineage backend gets a bounded wait; the rest goes with
  // `mltrace sync --openlineage`.
  await emitter?.drain(exitWaitMs());
  return exitCode;
}

function isFile(candidate: string): boolean {
  try {
    return fs.statSync(path.resolve(candidate)).isFile();
  } catch {
    return false;
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return (signal && numbers[signal]) || 1;
}
