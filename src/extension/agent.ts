// The window's one AgentClient. The client forks the agent lazily (first request), with
// ELECTRON_RUN_AS_NODE=1, and starts a new one on the next request after a crash. Here: the
// command prefix from settings (read each time an agent starts), a warning naming the cause
// when it dies, its stderr in an output channel, and Restart Agent.
import * as vscode from 'vscode';
import { AgentClient, type AgentExit } from '../agent/client';
import { setting } from './manifest';

const PREFIX_SETTING = setting('agentCommandPrefix');
/** At most one crash notification in this period; the rest go to the output channel. */
const WARN_EVERY_MS = 10_000;

export function agentCommandPrefix(): string[] {
  const v = vscode.workspace.getConfiguration().get<unknown>(PREFIX_SETTING, []);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.length > 0) : [];
}

export class AgentHost implements vscode.Disposable {
  readonly client: AgentClient;
  private readonly disposables: vscode.Disposable[] = [];
  private expectedExit = false;
  private lastWarning = 0;
  private readonly exitEmitter = new vscode.EventEmitter<AgentExit>();
  /** The agent died unexpectedly (after the warning was shown or logged). */
  readonly onDidCrash = this.exitEmitter.event;

  constructor(agentPath: string, readonly output: vscode.OutputChannel) {
    this.client = new AgentClient({
      agentPath,
      // A getter: the client reads it each time it starts an agent, so a changed setting
      // applies at the next start.
      get commandPrefix() { return agentCommandPrefix(); },
      log: (line) => output.appendLine(`[agent] ${line}`),
    });
    this.disposables.push(
      this.exitEmitter,
      this.client.onDidExit((e) => this.onExit(e)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(PREFIX_SETTING) && this.client.pid !== undefined) {
          output.appendLine(`[host] ${PREFIX_SETTING} changed: restarting the agent`);
          void this.restart().catch((err) => output.appendLine(`[host] restart failed: ${String(err)}`));
        }
      }),
    );
  }

  /** Stop the running agent (if any) and start a fresh one; resolves with its pid. */
  async restart(): Promise<number> {
    const pid = this.client.pid;
    if (pid !== undefined) {
      this.expectedExit = true;
      try {
        await this.waitForExit(pid);
      } finally {
        this.expectedExit = false;
      }
    }
    const r = await this.client.request('ping', {});
    this.output.appendLine(`[host] agent started (pid ${r.pid})`);
    return r.pid;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
    this.client.dispose();
  }

  private waitForExit(pid: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let killTimer: ReturnType<typeof setTimeout> | undefined;
      const sub = this.client.onDidExit(() => {
        if (killTimer) clearTimeout(killTimer);
        sub.dispose();
        resolve();
      });
      const signal = (sig: NodeJS.Signals) => {
        try { process.kill(pid, sig); } catch { /* already gone: the exit event follows or came */ }
      };
      signal('SIGTERM');
      killTimer = setTimeout(() => signal('SIGKILL'), 3000);
      // If it was already gone and no exit event comes, do not hang.
      setTimeout(() => { sub.dispose(); resolve(); }, 6000).unref?.();
    });
  }

  private onExit(e: AgentExit): void {
    if (this.expectedExit) {
      this.output.appendLine(`[host] agent stopped for restart (${e.signal ?? `code ${e.code}`})`);
      return;
    }
    this.output.appendLine(`[host] ${e.message}`);
    this.exitEmitter.fire(e);
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    const text = `SHM Inspector: ${capitalize(e.message)}. It restarts with the next refresh or request.`;
    void vscode.window.showWarningMessage(text, 'Restart Now', 'Show Log').then((choice) => {
      if (choice === 'Restart Now') void this.restart().catch((err) => void vscode.window.showErrorMessage(`SHM Inspector: could not restart the agent: ${String(err?.message ?? err)}`));
      else if (choice === 'Show Log') this.output.show(true);
    });
  }
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
