// The window's one AgentClient. The client forks the agent lazily (first request), with
// ELECTRON_RUN_AS_NODE=1, and starts a new one on the next request after a crash, until it crashed
// 4 times in 10 s: then it stops until Restart Agent. Here: the command prefix from settings (read
// each time an agent starts), a warning naming the cause when it dies (an error with Restart
// Agent when it stopped), its stderr in an output channel, and Restart Agent.
import * as vscode from 'vscode';
import { AgentClient, type AgentExit } from './client';
import { command, setting } from '../manifest';

const PREFIX_SETTING = setting('agentCommandPrefix');
/** At most one crash notification in this period; the rest go to the output channel. */
const WARN_EVERY_MS = 10_000;
const RESTART = 'Restart Agent';

export function agentCommandPrefix(): string[] {
  const v = vscode.workspace.getConfiguration().get<unknown>(PREFIX_SETTING, []);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.length > 0) : [];
}

export class AgentHost implements vscode.Disposable {
  readonly client: AgentClient;
  /** Ours and vscode's alike: anything with dispose(). */
  private readonly disposables: { dispose(): unknown }[] = [];
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
          void this.restart().catch((err: unknown) => output.appendLine(`[host] restart failed: ${String(err)}`));
        }
      }),
    );
  }

  /** Stop the running agent (if any) and start a fresh one, also after the crash limit; resolves with its pid. */
  async restart(): Promise<number> {
    const running = this.client.pid !== undefined;
    const pid = await this.client.restart();
    const prefix = this.client.pid !== undefined && this.client.pid !== pid ? ` under pid ${this.client.pid} of the command prefix` : '';
    this.output.appendLine(`[host] ${running ? 'agent restarted' : 'agent started'} (pid ${pid}${prefix})`);
    return pid;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
    this.client.dispose();
  }

  private onExit(e: AgentExit): void {
    this.output.appendLine(`[host] ${e.message}`);
    this.exitEmitter.fire(e);
    if (e.stopped) {
      // Always said, not throttled: nothing works until the user restarts it.
      const why = this.client.stoppedMessage ?? 'the agent is stopped';
      this.output.appendLine(`[host] ${why}`);
      void vscode.window.showErrorMessage(`SHM Inspector: ${capitalize(e.message)}. ${capitalize(why)}.`, RESTART, 'Show Log').then((choice) => this.onChoice(choice));
      return;
    }
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    const text = `SHM Inspector: ${capitalize(e.message)}. It restarts with the next refresh or request.`;
    void vscode.window.showWarningMessage(text, 'Restart Now', 'Show Log').then((choice) => this.onChoice(choice));
  }

  private onChoice(choice: string | undefined): void {
    if (choice === 'Restart Now' || choice === RESTART) {
      void vscode.commands.executeCommand(command('restartAgent'));
    } else if (choice === 'Show Log') this.output.show(true);
  }
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
