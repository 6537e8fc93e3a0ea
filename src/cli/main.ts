// The `mltrace` command: the engine's queries in a terminal or CI. Every command first ingests
// what was appended to the log, so it always answers on the whole log.
import { parseArgs, ParseArgsConfig } from 'node:util';
import { plural, runLabel, visible } from '../core/format';
import { LineageError, type Run } from '../core/model';
import { teamUri } from '../core/team/recorded';
import type { HttpTransport } from '../core/openlineage/transport';
import { autoCompactFrom, LineageStore, OpenOptions } from '../core/store';
import { isOwnStore, locateStore, readerSnapshotDir, StoreLocation } from '../core/storeDir';
import { tendSnapshotCache } from '../core/snapshotCache';
import { EventWriter } from '../core/writer';
import { normalizePointerName } from '../core/pointers';
import { jsonArrayTexts } from './jsonOutput';
import { writeOut } from './output';
import {
  componentsTable,
  dim,
  list,
  reviewTable,
  runCard,
  runsTable,
  table,
  traceHead,
  traceRows,
} from './tables';
import { chooseWasmTier } from './wasmTier';
import { driftTable } from './driftTable';
import { labelCard, labelsTable } from './labelTables';
import { findLabel } from '../core/labels/lookup';
import { historyTable } from './runValueTables';
import { metricsReport, metricsText, tasksTable, unknownMetric } from './tasks';
import { compactLog } from '../core/segments/compact';

const VERSION = '0.1.0';
/** How long a command waits for the team store before answering from the local log. */
const PULL_FIRST_TIMEOUT_MS = 3000;

class UsageError extends Error {}

type Options = ParseArgsConfig['options'];
const common: Options = {
  dir: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

interface Command {
  usage: string;
  summary: string;
  options?: Options;
  positionals?: [min: number, max: number];
  run(args: Args, ctx: Context): Promise<void> | void;
}

interface Args {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

interface Context {
  location: StoreLocation;
  /** Where this reader's snapshot lives, when not in the store (a shared store). */
  snapshotDir: string | undefined;
  json: boolean;
  store(): Promise<LineageStore>;
  print(human: string, json: unknown): void;
}

/** Rule 4's reasons with the commits that touched the code since (git is loaded only here). */
async function explainCode(runs: Run[], ctx: Context): Promise<void> {
  const [{ explainCodeChanges }, { CodeHistory }] = await Promise.all([
    import('../core/codeExplanation'),
    import('../core/codeHistory'),
  ]);
  await explainCodeChanges(runs, new CodeHistory(ctx.location.root));
}

const limitOption = { limit: { type: 'string' as const, short: 'n' } };

function numberOption(args: Args, name: string): number | undefined {
  const raw = args.values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} needs a positive whole number, not "${String(raw)}".`);
  return n;
}

/** `--drift-threshold X`, `--drift-ignore COLUMN` (again for more): drift.ts settings from the command line. */
const driftOption = {
  'drift-threshold': { type: 'string' as const },
  'drift-ignore': { type: 'string' as const, multiple: true as const },
};

function driftOptions(args: Args): { threshold?: number; ignoreColumns?: string[] } {
  const options: { threshold?: number; ignoreColumns?: string[] } = {};
  const ignore = args.values['drift-ignore'] as string[] | undefined;
  if (ignore !== undefined) {
    if (ignore.some((c) => c === ''))
      throw new UsageError('--drift-ignore needs a column name (or a pattern such as "*_id").');
    options.ignoreColumns = ignore;
  }
  const raw = args.values['drift-threshold'];
  if (raw === undefined) return options;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(
      `--drift-threshold needs a positive number (a PSI, such as 0.2), not "${String(raw)}".`,
    );
  return { ...options, threshold: n };
}

function dateOption(args: Args, name: string): Date | undefined {
  const raw = args.values[name];
  if (raw === undefined) return undefined;
  const relative = /^(\d+)([mhdw])$/.exec(String(raw));
  if (relative) {
    const unit = { m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[relative[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(Date.now() - Number(relative[1]) * unit);
  }
  const date = new Date(String(raw));
  if (Number.isNaN(date.getTime()))
    throw new UsageError(
      `--${name} needs an ISO date (2026-11-01) or an age (7d, 12h), not "${String(raw)}".`,
    );
  return date;
}

/** A pointer as the user typed it: a path relative to the current folder, or a logged name. */
function pointerArgument(store: LineageStore, raw: string): string {
  const normalized = normalizePointerName(raw, store.location.root);
  return store.hasPointer(normalized) ? normalized : raw;
}

const commands: Record<string, Command> = {
  recent: {
    usage: 'recent [--limit N]',
    summary: 'the newest runs',
    options: limitOption,
    async run(args, ctx) {
      const page = (await ctx.store()).recent({ limit: numberOption(args, 'limit') ?? 20 });
      ctx.print(runsTable(page.items), page.items);
    },
  },
  history: {
    usage: 'history <component> [--limit N] [--since T] [--until T]',
    summary: "a component's runs, newest first",
    options: { ...limitOption, since: { type: 'string' }, until: { type: 'string' } },
    positionals: [1, 1],
    async run(args, ctx) {
      const runs = (await ctx.store()).history(args.positionals[0], {
        limit: numberOption(args, 'limit') ?? 20,
        since: dateOption(args, 'since'),
        until: dateOption(args, 'until'),
      });
      ctx.print(historyTable(runs), runs);
    },
  },
  inspect: {
    usage: 'inspect <run-id-or-prefix>',
    summary: 'one run in full',
    positionals: [1, 1],
    async run(args, ctx) {
      const run = (await ctx.store()).inspect(args.positionals[0]);
      await explainCode([run], ctx);
      ctx.print(runCard(run), run);
    },
  },
  tasks: {
    usage: 'tasks',
    summary: 'tasks that log outputs and feedback, with how much has feedback',
    positionals: [0, 0],
    async run(_args, ctx) {
      const tasks = (await ctx.store()).tasks();
      ctx.print(tasksTable(tasks), tasks);
    },
  },
  metrics: {
    usage: 'metrics <task> [--metric NAME] [--window SECONDS]',
    summary: "a task's outputs joined with their feedback: accuracy, f1, r2...",
    options: { metric: { type: 'string' }, window: { type: 'string' } },
    positionals: [1, 1],
    async run(args, ctx) {
      const metric = args.values.metric === undefined ? undefined : String(args.values.metric);
      const problem = metric === undefined ? null : unknownMetric(metric);
      if (problem) throw new UsageError(problem);
      const report = metricsReport(await ctx.store(), args.positionals[0], {
        metric,
        windowSeconds: numberOption(args, 'window'),
      });
      ctx.print(metricsText(report), report);
    },
  },
  trace: {
    usage: 'trace <pointer> [--downstream]',
    summary: 'the runs that produced an output (or, downstream, consumed it)',
    options: { downstream: { type: 'boolean', default: false } },
    positionals: [1, 1],
    async run(args, ctx) {
      const store = await ctx.store();
      const trace = store.tracePages(pointerArgument(store, args.positionals[0]), {
        downstream: args.values.downstream === true,
      });
      // A page at a time, each written (and taken by the reader) before the next is read: a trace
      // 50,000 runs deep never sits in memory whole (nor does its text), and the output is what
      // one print would give.
      if (ctx.json) {
        for (const text of jsonArrayTexts({ pointer: trace.pointer }, 'runs', trace.pages))
          await writeOut(text);
        return;
      }
      await writeOut(traceHead(trace, trace.total) + '\n');
      for (const page of trace.pages) await writeOut(traceRows(page, trace.direction).join('\n') + '\n');
    },
  },
  flag: {
    usage: 'flag <pointer>',
    summary: 'mark an output as erroneous',
    positionals: [1, 1],
    async run(args, ctx) {
      await setFlag(ctx, args.positionals[0], true);
    },
  },
  unflag: {
    usage: 'unflag <pointer> | --all',
    summary: 'clear a flag (or every flag)',
    options: { all: { type: 'boolean', default: false } },
    positionals: [0, 1],
    async run(args, ctx) {
      if (args.values.all) {
        if (args.positionals.length) throw new UsageError('unflag takes a pointer or --all, not both.');
        const store = await ctx.store();
        const flagged = store.pointers({ flagged: true }).map((p) => p.name);
        write(ctx, (w) => w.unflagAll());
        store.ingest();
        ctx.print(
          flagged.length ? `Unflagged ${flagged.length}: ${list(flagged, Infinity)}` : 'Nothing was flagged.',
          { unflagged: flagged },
        );
        return;
      }
      if (args.positionals.length !== 1) throw new UsageError('unflag needs a pointer, or --all.');
      await setFlag(ctx, args.positionals[0], false);
    },
  },
  review: {
    usage: 'review [--limit N]',
    summary: 'rank the runs that flagged outputs have in common',
    options: limitOption,
    async run(args, ctx) {
      const review = (await ctx.store()).review({ limit: numberOption(args, 'limit') });
      ctx.print(reviewTable(review), review);
    },
  },
  components: {
    usage: 'components [--tag T] [--owner O]',
    summary: 'components, their owners and tags',
    options: { tag: { type: 'string' }, owner: { type: 'string' } },
    async run(args, ctx) {
      const components = (await ctx.store()).components({
        tag: args.values.tag as string | undefined,
        owner: args.values.owner as string | undefined,
      });
      ctx.print(componentsTable(components), components);
    },
  },
  tags: {
    usage: 'tags',
    summary: 'tags and how many components carry each',
    async run(_args, ctx) {
      const tags = (await ctx.store()).tags();
      ctx.print(
        tags.length
          ? table(
              ['TAG', 'COMPONENTS'],
              tags.map((t) => [visible(t.tag), String(t.components)]),
            )
          : dim('No tags.'),
        tags,
      );
    },
  },
  labels: {
    usage: 'labels',
    summary: 'labels: how many pointers carry each, retracted when (retracted first)',
    async run(_args, ctx) {
      const labels = (await ctx.store()).labels.list();
      ctx.print(labelsTable(labels), labels);
    },
  },
  label: {
    usage: 'label <id>',
    summary: 'the pointers that carry a label now, and the runs that wrote them',
    positionals: [1, 1],
    async run(args, ctx) {
      const detail = findLabel((await ctx.store()).labels, args.positionals[0]);
      ctx.print(labelCard(detail), detail);
    },
  },
  stale: {
    usage: 'stale [--component C] [--threshold DAYS] [--drift-threshold PSI] [--drift-ignore COLUMN]...',
    summary: 'stale runs: the latest of each component, or all runs of one',
    options: { component: { type: 'string' }, threshold: { type: 'string' }, ...driftOption },
    async run(args, ctx) {
      const runs = (await ctx.store()).stale({
        component: args.values.component as string | undefined,
        thresholdDays: numberOption(args, 'threshold'),
        drift: driftOptions(args),
      });
      await explainCode(runs, ctx);
      const human = runs.length
        ? runs
            .map(
              (r) =>
                `${runsTable([r]).split('\n')[1]}\n${r.stale.map((s) => `    ! ${visible(s)}`).join('\n')}`,
            )
            .join('\n')
        : dim('No stale runs.');
      ctx.print(human, runs);
    },
  },
  drift: {
    usage: 'drift <pointer> [--against <pointer-or-run>] [--drift-threshold PSI] [--drift-ignore COLUMN]...',
    summary:
      "how a file's latest version differs from what its reader read (or its model was fitted on), per column",
    options: { against: { type: 'string' }, ...driftOption },
    positionals: [1, 1],
    async run(args, ctx) {
      const store = await ctx.store();
      const against = args.values.against as string | undefined;
      const result = store.drift(pointerArgument(store, args.positionals[0]), {
        against: against === undefined ? undefined : pointerArgument(store, against),
        drift: driftOptions(args),
      });
      ctx.print(ctx.json ? '' : driftTable(result), result);
    },
  },
  notes: {
    usage: 'notes <run-id-or-prefix> <text>',
    summary: 'add notes to a run',
    positionals: [2, 2],
    async run(args, ctx) {
      const store = await ctx.store();
      const run = store.inspect(args.positionals[0]);
      write(ctx, (w) => w.addNotes(run.id, run.component, args.positionals[1]));
      store.ingest();
      const updated = store.inspect(run.id);
      ctx.print(
        `Notes of ${visible(runLabel(run.component, run.id))}:\n${visible(updated.notes, { lines: true })}`,
        updated,
      );
    },
  },
  sync: {
    usage: 'sync [--team URI] [--push-only | --pull-only] | sync --openlineage',
    summary:
      "push this machine's events to the team store, pull everyone else's; or send them to OpenLineage",
    options: {
      team: { type: 'string' },
      openlineage: { type: 'boolean', default: false },
      'push-only': { type: 'boolean', default: false },
      'pull-only': { type: 'boolean', default: false },
    },
    async run(args, ctx) {
      if (args.values.openlineage === true) return sendToOpenLineage(ctx);
      const uri = teamUri(ctx.location.storeDir, args.values.team as string | undefined);
      if (!uri)
        throw new UsageError(
          "sync needs a team store: --team postgresql://user@host:port/database, MLTRACE_TEAM_URI, or a pipeline's set_db_uri().",
        );
      const pushOnly = args.values['push-only'] === true;
      const pullOnly = args.values['pull-only'] === true;
      if (pushOnly && pullOnly) throw new UsageError('sync takes --push-only or --pull-only, not both.');
      // Loaded when used: a command that needs no server does not pay for the PostgreSQL client.
      const { syncTeam } = await import('../core/team/sync');
      const report = await syncTeam(ctx.location.storeDir, uri, {
        push: !pullOnly,
        pull: !pushOnly,
        onStep: testKillHook(),
      });
      if (report.pulled) await ctx.store(); // index what was pulled
      const human = [
        `${pullOnly ? '' : `Pushed ${plural(report.pushed, 'event')} (${plural(report.pushedWriters, 'writer')})`}${
          pushOnly || pullOnly ? '' : '; '
        }${pushOnly ? '' : `pulled ${plural(report.pulled, 'event')} (${plural(report.pulledWriters, 'writer')})`} — ${visible(report.server)}.`,
        ...report.problems.map((p) => `  ${visible(p)}`),
      ].join('\n');
      ctx.print(human.charAt(0).toUpperCase() + human.slice(1), report);
    },
  },
  ingest: {
    usage: 'ingest',
    summary: 'read new events and report every problem found',
    async run(_args, ctx) {
      const messages: string[] = [];
      chooseWasmTier(ctx.location.storeDir, ctx.snapshotDir);
      const store = await LineageStore.open({
        dir: ctx.location.storeDir,
        snapshotDir: ctx.snapshotDir,
        deferIngest: true,
        onMessage: (m) => messages.push(m),
      });
      try {
        const report = store.ingest();
        const problems = store.problems();
        const human = [
          `Read ${report.events} event${report.events === 1 ? '' : 's'} (${report.runs} new run${report.runs === 1 ? '' : 's'}) from ${report.files} file${report.files === 1 ? '' : 's'}.`,
          ...messages.map((m) => visible(m, { lines: true })),
          ...report.waiting.map(
            (w) =>
              `${visible(w.file)}: the last ${w.bytes} byte${w.bytes === 1 ? '' : 's'} are a line without its newline yet; read once it ends.`,
          ),
          ...(problems.length
            ? [
                '',
                `${problems.length} problem${problems.length === 1 ? '' : 's'}:`,
                ...problems.map((p) => `${visible(p.file)}:${p.line}: ${p.severity}: ${visible(p.reason)}`),
              ]
            : []),
        ].join('\n');
        ctx.print(human, { ...report, problems });
      } finally {
        store.close();
      }
    },
  },
  compact: {
    usage: 'compact',
    summary: 'merge the files of ended writers into compressed segments',
    run(_args, ctx) {
      const report = compactLog(ctx.location.storeDir);
      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
      const human = report.busy
        ? 'Another compaction is running; nothing was done.'
        : [
            report.files
              ? `Merged ${report.files} file${report.files === 1 ? '' : 's'} of ended writers (${mb(report.bytes)}) into ${report.segments} segment${report.segments === 1 ? '' : 's'} (${mb(report.compressedBytes)}).`
              : 'No files of ended writers to merge.',
            ...(report.finished ? [`Finished an interrupted compaction (${report.finished} files).`] : []),
            ...(report.running
              ? [
                  `${report.running} file${report.running === 1 ? ' is' : 's are'} still being written; left alone.`,
                ]
              : []),
            ...report.skipped.map((name) => `${visible(name)} does not end with a whole line; left alone.`),
          ].join('\n');
      ctx.print(human, report);
    },
  },
  run: {
    usage: 'run -c <component> [-i <input>]... [-o <output>]... [--tag T]... -- <command...>',
    summary: 'run any command and log it as a run of a component',
    options: {
      component: { type: 'string', short: 'c' },
      input: { type: 'string', short: 'i', multiple: true },
      output: { type: 'string', short: 'o', multiple: true },
      tag: { type: 'string', multiple: true },
    },
    positionals: [1, Infinity],
    async run(args, ctx) {
      if (!args.values.component) throw new UsageError('run needs -c <component>.');
      // Loaded here: it needs node:child_process, which no other command does (~10 ms to load).
      const { runCommand } = await import('./run');
      process.exitCode = await runCommand({
        location: ctx.location,
        component: String(args.values.component),
        inputs: (args.values.input as string[] | undefined) ?? [],
        outputs: (args.values.output as string[] | undefined) ?? [],
        tags: (args.values.tag as string[] | undefined) ?? [],
        command: args.positionals,
      });
    },
  },
};

/**
 * Tests only: MLTRACE_TEST_KILL_AT=pushed:2 makes `sync` kill itself (SIGKILL, nothing cleaned
 * up) right after its second committed push, to test that an interrupted sync resumes cleanly.
 */
function testKillHook(): ((step: string) => void) | undefined {
  const [step, count] = (process.env.MLTRACE_TEST_KILL_AT ?? '').split(':');
  if (!step) return undefined;
  let seen = 0;
  return (s) => {
    if (s === step && ++seen >= Number(count)) process.kill(process.pid, 'SIGKILL');
  };
}

/** `sync --openlineage`: this machine's unsent events to the configured OpenLineage backend. */
async function sendToOpenLineage(ctx: Context): Promise<void> {
  const { httpTransport } = await import('../core/openlineage/transport');
  const { emitOwnEvents } = await import('../core/openlineage/emit');
  let transport: HttpTransport | null;
  try {
    transport = httpTransport();
  } catch (error) {
    throw new UsageError(`OpenLineage: ${(error as Error).message}`);
  }
  if (!transport)
    throw new UsageError(
      'sync --openlineage needs a backend: OPENLINEAGE_URL, or an openlineage.yml with an http transport (OPENLINEAGE_DISABLED is not set).',
    );
  const report = await emitOwnEvents(ctx.location.storeDir, transport);
  if (report.error) {
    process.stderr.write(
      `mltrace: sent ${plural(report.sent, 'event')} to ${visible(report.backend)}, then stopped: ${visible(report.error)}; the rest goes next time.\n`,
    );
    process.exitCode = 1;
  }
  ctx.print(`Sent ${plural(report.sent, 'event')} to ${visible(report.backend)}.`, report);
}

/**
 * With a team store configured (MLTRACE_TEAM_URI, or a pipeline's set_db_uri), a command first pulls what others pushed, in a
 * few seconds at most; offline, it says so and answers from the local log.
 */
async function pullFirst(storeDir: string): Promise<void> {
  const uri = teamUri(storeDir);
  if (!uri) return;
  try {
    const { syncTeam } = await import('../core/team/sync');
    const report = await syncTeam(storeDir, uri, {
      push: false,
      timeoutMs: PULL_FIRST_TIMEOUT_MS,
      pullBudgetMs: PULL_FIRST_TIMEOUT_MS,
    });
    if (report.incomplete)
      process.stderr.write(
        'mltrace: the team store has more new events than a few seconds pull; `mltrace sync` pulls them all.\n',
      );
  } catch (error) {
    const reason = isTeamError(error) ? error.message : String(error);
    process.stderr.write(`mltrace: ${visible(reason)}; answering from the local log.\n`);
  }
}

/** A TeamError, recognised without loading the PostgreSQL client. */
const isTeamError = (error: unknown): error is Error => (error as Error | undefined)?.name === 'TeamError';

/** Writes with a writer of this command, then ends its file (its end marker lets it be merged). */
function write(ctx: Context, action: (writer: EventWriter) => void): void {
  const writer = new EventWriter(ctx.location, 'cli');
  try {
    action(writer);
  } finally {
    writer.close();
  }
}

async function setFlag(ctx: Context, raw: string, flagged: boolean): Promise<void> {
  const store = await ctx.store();
  const pointer = store.pointerIdentity(pointerArgument(store, raw));
  write(ctx, (w) => w.flag(pointer.name, flagged, pointer.namespace));
  store.ingest();
  ctx.print(`${flagged ? 'Flagged' : 'Unflagged'} ${visible(pointer.display)}.`, {
    pointer: pointer.display,
    flagged,
  });
}

/** `MLTRACE_AUTO_COMPACT`: how many ended writers' files make a command merge them (0: never). */
function autoCompactSetting(): OpenOptions['autoCompact'] {
  const raw = process.env.MLTRACE_AUTO_COMPACT;
  if (raw === undefined || raw === '') return undefined;
  return autoCompactFrom(Number(raw));
}

function help(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  return [
    `mltrace ${VERSION} — lineage of ML and data pipelines`,
    '',
    'Usage: mltrace <command> [options]',
    '',
    ...Object.values(commands).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --dir <.mltrace folder> (default: $MLTRACE_DIR, else the nearest .mltrace',
    'above the current folder) and --json (machine-readable output on stdout).',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`mltrace: unknown command "${visible(name)}". Run mltrace --help for the list.\n`);
    return 2;
  }
  let store: LineageStore | undefined;
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...common, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    const args: Args = { values: parsed.values as Args['values'], positionals: parsed.positionals };
    if (args.values.help) {
      process.stdout.write(`Usage: mltrace ${command.usage}\n\n${command.summary}\n`);
      return 0;
    }
    const [min, max] = command.positionals ?? [0, 0];
    if (args.positionals.length < min || args.positionals.length > max) {
      throw new UsageError(`Usage: mltrace ${command.usage}`);
    }
    const json = args.values.json === true;
    const location = locateStore({ dir: args.values.dir as string | undefined });
    // A store that is not the working folder's own (a shared folder many machines append to):
    // the snapshot is this reader's, in a per-user cache (docs/LAYOUT.md).
    const snapshotDir =
      process.env.MLTRACE_SNAPSHOT_DIR || !isOwnStore(location.storeDir, process.cwd())
        ? readerSnapshotDir(location.storeDir)
        : undefined;
    const ctx: Context = {
      location,
      snapshotDir,
      json,
      store: async () => {
        if (!store) {
          if (name !== 'sync') await pullFirst(location.storeDir);
          // After the pull: what it brought counts towards the backlog the tier is chosen for.
          chooseWasmTier(location.storeDir, snapshotDir);
          store = await LineageStore.open({
            dir: location.storeDir,
            snapshotDir,
            onMessage: (m) => process.stderr.write(`mltrace: ${visible(m, { lines: true })}\n`),
            autoCompact: autoCompactSetting(),
            // Most commands read a few pages of the index (snapshotImage.ts).
            readLazily: process.platform !== 'win32',
          });
        }
        return store;
      },
      print: (human, data) => process.stdout.write((json ? JSON.stringify(data, null, 2) : human) + '\n'),
    };
    await command.run(args, ctx);
    // A reader's snapshot in the per-user cache: noted as used, and the unused ones removed.
    if (snapshotDir && !process.env.MLTRACE_SNAPSHOT_DIR) tendSnapshotCache(snapshotDir, location.storeDir);
    // After the output: merging the files of ended writers, when enough wait, costs the user nothing.
    store?.compactIfWorthIt();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (isTeamError(error)) {
      process.stderr.write(`mltrace: ${visible(error.message)}\n`);
      return 1;
    }
    if (error instanceof LineageError) {
      process.stderr.write(`mltrace: ${visible(error.message, { lines: true })}\n`);
      return 1;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`mltrace: ${visible((error as Error).message, { lines: true })}\n`);
      return 2;
    }
    process.stderr.write(`mltrace: ${visible((error as Error).stack ?? String(error), { lines: true })}\n`);
    return 1;
  } finally {
    store?.close();
  }
}

if (require.main === module) {
  // A reader that stops early (`mltrace trace … | head`) closes the pipe: what is left to print
  // goes nowhere, and the command ends as it would have, index saved, without a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
