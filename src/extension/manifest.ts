// Every id the extension registers, derived from package.json's name: one place for names.
// (esbuild inlines the JSON import, so the bundle reads nothing at run time.)
import pkg from '../../package.json';

/** "shmInspector" from "shm-inspector". */
export const PREFIX = pkg.name.replace(/-([a-z])/g, (_: string, c: string) => c.toUpperCase());
export const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;

export const SCHEME = 'shm';
export const VIEW_CONTAINER = PREFIX;
export const SEGMENTS_VIEW = `${PREFIX}.segments`;
export const HEX_EDITOR = `${PREFIX}.hexEditor`;
/** The same editor for recording files (*.shmrec), their default editor: a timeline. */
export const TIMELINE_EDITOR = `${PREFIX}.timeline`;

export const command = (name: string): string => `${PREFIX}.${name}`;
export const setting = (name: string): string => `${PREFIX}.${name}`;
