// Search input -> bytes and mask for the agent: hex with ?? wildcards, or text (UTF-8).

export type SearchQuery = { pattern: Uint8Array; mask?: Uint8Array; caseInsensitive?: boolean };

/** "de ad ?? ef", "DEAD??EF", "0xde 0xad": pairs of hex digits or ?? (a wildcard byte). */
export function parseHexPattern(text: string): SearchQuery | { error: string } {
  const t = text.replace(/0x/gi, '').replace(/[\s,]/g, '');
  if (t.length === 0) return { error: 'type some hex bytes, e.g. de ad ?? ef' };
  if (t.length % 2 !== 0) return { error: `"${text}" has an odd number of hex digits` };
  const pattern = new Uint8Array(t.length / 2);
  const mask = new Uint8Array(t.length / 2);
  let wild = false;
  for (let i = 0; i < pattern.length; i++) {
    const pair = t.slice(2 * i, 2 * i + 2);
    if (pair === '??') { wild = true; continue; }
    if (!/^[0-9a-f]{2}$/i.test(pair)) return { error: `"${pair}" is not a hex byte or ??` };
    pattern[i] = parseInt(pair, 16);
    mask[i] = 0xff;
  }
  if (!mask.some((m) => m)) return { error: 'the pattern is all wildcards' };
  return wild ? { pattern, mask } : { pattern };
}

export function textPattern(text: string, caseInsensitive: boolean): SearchQuery | { error: string } {
  if (text.length === 0) return { error: 'type some text to find' };
  return { pattern: new TextEncoder().encode(text), caseInsensitive };
}
