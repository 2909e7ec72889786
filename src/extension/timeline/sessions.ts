// The recordings running in the agent, as the extension host sees them: started with the
// segment's identity (the agent refuses another segment), polled for counters (one status
// request per recording every pollMs: nothing runs at the sampling rate on the host), and ended
// by Stop, by the agent (the segment destroyed, a read error) or by the agent going away.
// vscode-free: the status bar and messages listen to onDidChange / onDidEnd.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RecordingEnd, RecordingProgress } from '../../protocol/recording';
import { type Footprint, type SegmentInfo, identityOf } from '../../protocol/segment';
import type { AgentClient } from '../agent/client';
import { errorMessage } from '../segments/errorText';
import { type ByteRange, recordingFileName } from './recordingText';

export interface RecordingOptions extends ByteRange {
  hz: number;
  /** Bytes. */
  budget: number;
  /** Default 'attach' (see RecordStartParams). */
  footprint?: Footprint;
  /** A seqlock counter (see RecordStartParams). */
  seq?: { offset: number; size: 4 | 8 };
}

export interface Session {
  readonly segment: SegmentInfo;
  readonly options: RecordingOptions;
  readonly path: string;
  /** The agent's number for it, valid in agent generation `generation`. */
  readonly recording: number;
  readonly generation: number;
  progress: RecordingProgress;
}

export interface SessionEnd extends RecordingEnd {
  frames: number;
  /** Torn samples read again, and given up (a sequence counter was named). */
  retries: number;
  giveUps: number;
}

type Listener<T> = (e: T) => void;

/** How long a restarted agent may take to write its recordings and leave (its client's grace is 2 s, then SIGTERM). */
const LEAVING_MS = 5000;

export class RecordingSessions {
  private readonly running = new Map<string, Session>();
  /** Files of recordings the agent has not confirmed yet. */
  private readonly starting = new Set<string>();
  private readonly ending = new Map<Session, Promise<SessionEnd>>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly changeListeners = new Set<Listener<void>>();
  private readonly endListeners = new Set<Listener<{ session: Session; end: SessionEnd }>>();
  private readonly subscriptions: { dispose(): void }[];

  constructor(private readonly agent: AgentClient, private readonly dir: string, private readonly pollMs = 500) {
    // A crash loses what the agent held in memory; a restart writes it first (agent main.ts).
    this.subscriptions = [
      agent.onDidExit((e) => { for (const s of this.list()) void this.lost(s, `${e.message}: the recording was lost`, 0); }),
      agent.onDidChangeState((state) => { if (state === 'idle') for (const s of this.list()) void this.lost(s, 'the agent was restarted', LEAVING_MS); }),
    ];
  }

  get folder(): string {
    return this.dir;
  }

  list(): Session[] {
    return [...this.running.values()];
  }

  onDidChange(l: Listener<void>): { dispose(): void } {
    this.changeListeners.add(l);
    return { dispose: () => this.changeListeners.delete(l) };
  }

  onDidEnd(l: Listener<{ session: Session; end: SessionEnd }>): { dispose(): void } {
    this.endListeners.add(l);
    return { dispose: () => this.endListeners.delete(l) };
  }

  async start(segment: SegmentInfo, options: RecordingOptions): Promise<Session> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    // Two recordings started in the same millisecond get distinct names (-2, -3...).
    const base = recordingFileName(segment, Date.now());
    let file = path.join(this.dir, base);
    for (let n = 2; this.running.has(file) || this.starting.has(file) || fs.existsSync(file); n++) file = path.join(this.dir, base.replace(/\.shmrec$/, `-${n}.shmrec`));
    this.starting.add(file); // taken from here on, though the agent has not answered yet
    let recording: number;
    try {
      ({ recording } = await this.agent.request('recordStart', { expect: identityOf(segment), ...options, path: file }));
    } finally {
      this.starting.delete(file);
    }
    const session: Session = {
      segment, options, path: file, recording, generation: this.agent.generation,
      progress: { recording, frames: 0, bytes: 0, elapsedMs: 0, retries: 0, giveUps: 0 },
    };
    this.running.set(file, session);
    this.timer ??= setInterval(() => { void this.poll(); }, this.pollMs);
    this.fireChange();
    return session;
  }

  /** Stops it (if still running) and resolves with how it ended. */
  stop(session: Session): Promise<SessionEnd> {
    return this.end(session, async () => {
      const p = await this.agent.request('recordStop', { recording: session.recording }, { timeoutMs: 120_000 });
      session.progress = p;
      return p.ended ?? { reason: 'error', message: 'the agent did not say how the recording ended', path: session.path, fileBytes: 0 };
    });
  }

  /** Waits for the end of a session (whoever ends it). */
  ended(session: Session): Promise<SessionEnd> | undefined {
    return this.ending.get(session);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.subscriptions) s.dispose();
    // Leaving the recordings to the agent: it writes their files when the host disconnects.
  }

  private end(session: Session, how: () => Promise<RecordingEnd>): Promise<SessionEnd> {
    let done = this.ending.get(session);
    if (done) return done;
    const counts = () => ({ frames: session.progress.frames, retries: session.progress.retries, giveUps: session.progress.giveUps });
    done = how().then(
      (end) => ({ ...end, ...counts() }),
      (err: unknown) => ({ reason: 'error' as const, message: errorMessage(err), path: session.path, fileBytes: 0, writeError: errorMessage(err), ...counts() }),
    ).then((end) => {
      this.running.delete(session.path);
      if (this.running.size === 0 && this.timer) { clearInterval(this.timer); this.timer = undefined; }
      this.fireChange();
      for (const l of this.endListeners) l({ session, end });
      return end;
    });
    this.ending.set(session, done);
    return done;
  }

  /**
   * The agent that held it is gone: the file is there if that agent wrote it on its way out
   * (a restart lets it leave: up to `waitMs` for the file to appear).
   */
  private lost(session: Session, why: string, waitMs: number): Promise<SessionEnd> {
    return this.end(session, async () => {
      const size = () => fs.promises.stat(session.path).then((st) => st.size, () => 0);
      let fileBytes = await size();
      for (const until = Date.now() + waitMs; fileBytes === 0 && Date.now() < until;) {
        await new Promise((r) => setTimeout(r, 100));
        fileBytes = await size();
      }
      return fileBytes > 0
        ? { reason: 'stopped', message: why, path: session.path, fileBytes }
        : { reason: 'error', message: why, path: session.path, fileBytes: 0, writeError: why };
    });
  }

  private async poll(): Promise<void> {
    if (this.polling) return; // a slow answer: skip a round rather than pile requests up
    this.polling = true;
    try {
      for (const s of this.list()) {
        if (this.ending.has(s)) continue;
        if (s.generation !== this.agent.generation) { void this.lost(s, 'the agent was restarted', LEAVING_MS); continue; }
        try {
          s.progress = await this.agent.request('recordStatus', { recording: s.recording }, { timeoutMs: 10_000 });
        } catch (err) {
          void this.lost(s, `the agent lost it (${errorMessage(err)})`, 0);
          continue;
        }
        // Ended in the agent (segment destroyed, read error): collect the end and let it go.
        if (s.progress.ended) void this.stop(s);
      }
    } finally {
      this.polling = false;
    }
    this.fireChange();
  }

  private fireChange(): void {
    for (const l of this.changeListeners) l();
  }
}
