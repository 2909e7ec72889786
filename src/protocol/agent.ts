// Requests the extension host (and tests) send to the agent process.
import type { RecordingMethods } from './recording';
import type { WatchSamplingMethods } from './watchSampling';
import type { AttachmentReport, CreateOptions, Footprint, ReadVia, SegmentIdentity, SegmentInfo, ShmLimits } from './segment';

export interface SearchParams {
  handle: number;
  /** Bytes to find. */
  pattern: Uint8Array;
  /** Same length as pattern: 0xff = must match, 0x00 = wildcard (`??`). Omitted = all must match. */
  mask?: Uint8Array;
  /** ASCII case-insensitive match. */
  caseInsensitive?: boolean;
  /** Where to start (inclusive); for backwards, the last offset a match may start at. */
  from: number;
  backwards?: boolean;
  /** Stop after this many matches. */
  max: number;
}

export interface SearchResult {
  offsets: number[];
  /** True when max was reached before the end. */
  truncated: boolean;
}

export interface DiffResult {
  /** Differing byte ranges, adjacent bytes merged, in offset order. */
  ranges: { offset: number; length: number }[];
  /** Number of differing bytes in all. */
  bytes: number;
  /** More ranges differed than maxRanges. */
  truncated: boolean;
  /** Sizes of the two sides; when they differ only the common prefix is compared. */
  sizes: [number, number];
}

export type AgentMethods = {
  /** pipe: read and write may travel on the byte pipe (src/protocol/bytePipe.ts). */
  ping: { params: Record<string, never>; result: { pid: number; pipe?: boolean } };
  list: { params: { attachments?: boolean }; result: { segments: SegmentInfo[]; attachments?: AttachmentReport[] } };
  stat: { params: { id: number }; result: SegmentInfo };
  limits: { params: Record<string, never>; result: ShmLimits };
  attachments: { params: { id: number }; result: AttachmentReport };
  create: { params: CreateOptions; result: SegmentInfo };
  /** IPC_RMID, only if the id still names the expected segment (else ECHANGED). */
  destroy: { params: { expect: SegmentIdentity }; result: { deferred: boolean } };
  /**
   * footprint 'attach' (default): attach once and keep it; the result has the attach address in
   * the agent so the host can read it through /proc/<agent pid>/mem without a round trip.
   * footprint 'none': attach nothing; reads go through an attached process's mapping, or attach
   * for each request only (address 0: every read goes through the agent).
   */
  open: {
    params: { id: number; readOnly?: boolean; expect?: SegmentIdentity; footprint?: Footprint };
    result: { handle: number; info: SegmentInfo; readOnly: boolean; address: number; via: ReadVia };
  };
  /** How the handle's bytes were last read. */
  via: { params: { handle: number }; result: ReadVia };
  close: { params: { handle: number }; result: null };
  read: { params: { handle: number; offset: number; length: number }; result: Uint8Array };
  write: { params: { handle: number; offset: number; data: Uint8Array }; result: { written: number } };
  search: { params: SearchParams; result: SearchResult };
  /** Copy [offset, offset+length) of an open segment to a file, in chunks, with progress. */
  dump: { params: { handle: number; path: string; offset?: number; length?: number }; result: { bytes: number } };
  /** Compare an open segment with a snapshot file of the same size (or two files), in chunks. */
  diff: { params: { handle?: number; path: string; otherPath?: string; maxRanges?: number }; result: DiffResult };
  /** Copy a file into an open segment at offset, in chunks, with progress. */
  load: { params: { handle: number; path: string; offset: number }; result: { bytes: number } };
} & RecordingMethods & WatchSamplingMethods;
