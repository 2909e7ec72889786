// The hex editor's settings with a fixed set of choices (shmInspector.hexEditor.*): each
// setting's choices and default, declared once for the host (which reads them), the webview
// (whose toolbar offers them) and package.json (a unit test checks its enums and defaults).

export const BYTES_PER_ROW = { choices: [0, 8, 16, 32], default: 16 } as const;
export const GROUPING = { choices: [1, 2, 4, 8], default: 1 } as const;
export const INSPECTOR = { choices: ['side', 'hover', 'off'], default: 'side' } as const;
export const READ_MODE = { choices: ['auto', 'attach', 'none'], default: 'auto' } as const;

/** 0 = fit to width. */
export type BytesPerRow = (typeof BYTES_PER_ROW.choices)[number];
export type Grouping = (typeof GROUPING.choices)[number];
export type InspectorMode = (typeof INSPECTOR.choices)[number];
/**
 * How the editor reads a segment: keep an attachment, leave no footprint, or 'auto': no
 * footprint for segments this process does not own or create (a database's, an X server's),
 * an attachment for its own.
 */
export type ReadMode = (typeof READ_MODE.choices)[number];

interface Choices<T> { readonly choices: readonly T[]; readonly default: T }

/** The value if it is one of the setting's choices, else its default. */
export function pick<T>(value: unknown, setting: Choices<T>): T {
  return setting.choices.includes(value as T) ? (value as T) : setting.default;
}
