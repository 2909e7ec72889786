// Sizes as the UI shows them (tree, hover, messages, the hex editor): binary units, at most
// one decimal. Browser-safe (no imports) so the host and the webview share it. The CLI keeps
// util-linux's own style (src/cli/format.ts humanSize: "1.5K").

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** "1 byte", "512 bytes", "1.5 KiB", "64 KiB", "3 GiB" (one decimal below 100, none from 100). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
  // 1023.96 KiB would read "1024 KiB": say "1 MiB".
  if (text === '1024' && unit < UNITS.length - 1) return `1 ${UNITS[unit + 1]}`;
  return `${text} ${UNITS[unit]}`;
}

