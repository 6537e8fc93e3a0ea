// Restricted mode (untrusted workspace): the views stay read-only. Nothing is written to the
// workspace (no flags, notes, snapshots or example files) and terminals are left untouched.
import * as vscode from 'vscode';

export class Trust implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires once, when the user trusts the workspace. */
  readonly onDidGrant = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    // Menus use the built-in `isWorkspaceTrusted` context key.
    this.subscription = vscode.workspace.onDidGrantWorkspaceTrust(() => this.emitter.fire());
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** True when trusted; otherwise tells the user why the action is unavailable. */
  requireTrust(action: string): boolean {
    if (this.trusted) return true;
    void vscode.window
      .showWarningMessage(
        `mltrace: ${action} writes to the workspace, which is in Restricted Mode. Trust the workspace to do this.`,
        'Manage Workspace Trust',
      )
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    return false;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
