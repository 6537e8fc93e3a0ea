// The logging shims from inside VS Code: copy the Python shim into the workspace (for CI, cron
// and other editors, where the terminal environment does not reach), and insert a logging
// snippet for the function at the cursor.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Copies `<extension>/python/mltrace` into `<folder>/mltrace`, so `import mltrace` works there. */
export async function writePythonShim(extensionPath: string, folder: string): Promise<string | undefined> {
  const source = path.join(extensionPath, 'python', 'mltrace');
  const target = path.join(folder, 'mltrace');
  if (fs.existsSync(target)) {
    const replace = await vscode.window.showWarningMessage(
      `${target} already exists. Replace it with the shim that ships with this version of the extension?`,
      { modal: true },
      'Replace',
    );
    if (replace !== 'Replace') return undefined;
    fs.rmSync(target, { recursive: true, force: true });
  }
  fs.cpSync(source, target, {
    recursive: true,
    filter: (file) => !file.includes('__pycache__') && !file.endsWith('.pyc'),
  });
  return target;
}

/** The name and `def` line of the innermost Python function around `line`, if any. */
export function enclosingPythonFunction(
  lines: readonly string[],
  line: number,
): { name: string; defLine: number; indent: string } | undefined {
  const cursorIndent = indentOf(lines[line] ?? '');
  for (let i = line; i >= 0; i--) {
    const match = /^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/.exec(lines[i]);
    if (!match) continue;
    // A def at or above the cursor encloses it when the cursor line is inside its body (or is it).
    if (i === line || lines[line].trim() === '' || cursorIndent.length > match[1].length) {
      return { name: match[2], defLine: i, indent: match[1] };
    }
  }
  return undefined;
}

const indentOf = (text: string) => /^\s*/.exec(text)![0];

/**
 * Python: `@register("<function>", inputs=[…], outputs=[…])` above the enclosing function (and
 * the import, when missing). JavaScript/TypeScript: a `withRun` call at the cursor.
 */
export async function insertLoggingSnippet(editor: vscode.TextEditor): Promise<boolean> {
  const document = editor.document;
  if (document.languageId === 'python') {
    const lines = Array.from({ length: document.lineCount }, (_, i) => document.lineAt(i).text);
    const fn = enclosingPythonFunction(lines, editor.selection.active.line);
    if (!fn) {
      void vscode.window.showInformationMessage(
        'mltrace: put the cursor inside the Python function to log, then run the command again.',
      );
      return false;
    }
    // Decorators already above the def: the new one goes on top of them.
    let at = fn.defLine;
    while (at > 0 && /^\s*@/.test(lines[at - 1])) at--;
    if (lines.slice(at, fn.defLine).some((l) => /@(\w+\.)?register\b|\.run\b/.test(l))) {
      void vscode.window.showInformationMessage(`mltrace: ${fn.name} is already logged.`);
      return false;
    }
    const hasImport = lines.some((l) =>
      /^\s*(from\s+mltrace\s+import\s+.*\bregister\b|import\s+mltrace\b)/.test(l),
    );
    const usesModule = !hasImport ? false : lines.some((l) => /^\s*import\s+mltrace\b/.test(l));
    const decorator = usesModule ? 'mltrace.register' : 'register';
    await editor.insertSnippet(
      new vscode.SnippetString(
        `${fn.indent}@${decorator}("\${1:${fn.name}}", inputs=[\${2}], outputs=[\${3}])\n`,
      ),
      new vscode.Position(at, 0),
    );
    if (!hasImport) {
      // After a module docstring or `from __future__` imports, which must stay first.
      let importLine = 0;
      while (importLine < lines.length && /^(#!|#.*coding|from __future__)/.test(lines[importLine]))
        importLine++;
      await editor.edit((edit) =>
        edit.insert(new vscode.Position(importLine, 0), 'from mltrace import register\n'),
      );
    }
    return true;
  }
  if (['javascript', 'typescript', 'javascriptreact', 'typescriptreact'].includes(document.languageId)) {
    await editor.insertSnippet(
      new vscode.SnippetString(
        "await withRun('${1:component}', { inputs: [${2}], outputs: [${3}] }, async () => {\n\t${0:$TM_SELECTED_TEXT}\n});",
      ),
    );
    return true;
  }
  void vscode.window.showInformationMessage(
    'mltrace: logging snippets are for Python and JavaScript/TypeScript files. For any other command, run it with `mltrace run -c <component> -- <command>`.',
  );
  return false;
}
