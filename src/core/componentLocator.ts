// Where each component's function is in a source file: from the decorators in the text
// (`@register("name", ...)`, `@component.run` with `component = Component("name", ...)`, bare
// `@register`) and from the source line recorded in its runs. The text wins: it is current,
// while a recorded line may predate edits. Pure text work, no VS Code: cheap and testable.
import type { Run } from './model';

export interface ComponentAnchor {
  component: string;
  /** 0-based line of the decorator (or of the recorded location). */
  line: number;
  /** 0-based line of the `def` and the function name's columns, when found. */
  def?: { line: number; start: number; end: number };
  /** Whether a run recorded this location (else only a decorator names it). */
  recorded: boolean;
}

const REGISTER = /^\s*@(?:mltrace\.)?register\(\s*(?:component_name\s*=\s*)?(["'])(.+?)\1/;
const BARE_REGISTER = /^\s*@(?:mltrace\.)?register\s*(?:#.*)?$/;
const DOT_RUN = /^\s*@([A-Za-z_]\w*)\.run\b/;
const COMPONENT_ASSIGN = /^\s*([A-Za-z_]\w*)\s*=\s*(?:mltrace\.)?Component\(\s*(?:name\s*=\s*)?(["'])(.+?)\2/;
const DEF = /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)/;
/** How far below a decorator the `def` may be (other decorators in between). */
const DEF_LOOKAHEAD = 12;

/** Components named by decorators in Python source. */
export function scanDecorators(text: string): ComponentAnchor[] {
  const lines = text.split(/\r?\n/);
  const variables = new Map<string, string>();
  for (const line of lines) {
    const m = COMPONENT_ASSIGN.exec(line);
    if (m) variables.set(m[1], m[3]);
  }
  const anchors: ComponentAnchor[] = [];
  lines.forEach((line, i) => {
    if (!line.includes('@')) return;
    const def = findDef(lines, i);
    let component: string | undefined;
    // A decorator's arguments may span lines.
    const register = REGISTER.exec(lines.slice(i, i + 4).join('\n'));
    if (register) component = register[2];
    else if (BARE_REGISTER.test(line))
      component = def ? lines[def.line].slice(def.start, def.end) : undefined;
    else {
      const dotRun = DOT_RUN.exec(line);
      if (dotRun) component = variables.get(dotRun[1]);
    }
    if (component !== undefined) anchors.push({ component, line: i, def, recorded: false });
  });
  return anchors;
}

/**
 * One anchor per component of this file: decorators first, then the recorded line of the
 * newest run of each component that no decorator names. `runs` are this file's runs, newest first.
 */
export function locateComponents(text: string, runs: ReadonlyArray<Run>): ComponentAnchor[] {
  const lines = text.split(/\r?\n/);
  const byComponent = new Map<string, ComponentAnchor>();
  const recorded = new Set(runs.map((r) => r.component));
  for (const anchor of scanDecorators(text)) {
    if (!byComponent.has(anchor.component))
      byComponent.set(anchor.component, { ...anchor, recorded: recorded.has(anchor.component) });
  }
  for (const run of runs) {
    if (byComponent.has(run.component) || run.sourceLine === null) continue;
    const line = Math.min(Math.max(0, run.sourceLine - 1), Math.max(0, lines.length - 1));
    byComponent.set(run.component, {
      component: run.component,
      line,
      def: findDef(lines, line),
      recorded: true,
    });
  }
  return [...byComponent.values()].sort((a, b) => a.line - b.line);
}

function findDef(lines: string[], from: number): ComponentAnchor['def'] {
  for (let i = from; i < Math.min(lines.length, from + DEF_LOOKAHEAD); i++) {
    const m = DEF.exec(lines[i]);
    if (m) {
      const start = lines[i].indexOf(m[1], lines[i].indexOf('def') + 3);
      return { line: i, start, end: start + m[1].length };
    }
    // Past the decorators (which may continue on indented lines or close with ")"): no def here.
    if (i > from && !/^\s*(@|#|\)|$)/.test(lines[i]) && !/^\s+\S/.test(lines[i])) return undefined;
  }
  return undefined;
}
