// "Copy selection as…": the selected bytes as text in the formats people paste elsewhere.

export type CopyFormat = 'hex' | 'c' | 'base64' | 'text';

export const COPY_FORMATS: readonly { format: CopyFormat; label: string }[] = [
  { format: 'hex', label: 'Hex' },
  { format: 'c', label: 'C array' },
  { format: 'base64', label: 'Base64' },
  { format: 'text', label: 'Text' },
];

const hex2 = (b: number) => b.toString(16).padStart(2, '0');

function base64(bytes: Uint8Array): string {
  // btoa takes a binary string; build it in slices to keep argument lists short.
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function formatBytes(bytes: Uint8Array, format: CopyFormat, name = 'data'): string {
  switch (format) {
    case 'hex':
      return Array.from(bytes, hex2).join(' ');
    case 'c': {
      const lines: string[] = [];
      for (let i = 0; i < bytes.length; i += 12) {
        lines.push('  ' + Array.from(bytes.subarray(i, i + 12), (b) => `0x${hex2(b)}`).join(', '));
      }
      return `unsigned char ${name}[${bytes.length}] = {\n${lines.join(',\n')}\n};`;
    }
    case 'base64':
      return base64(bytes);
    case 'text':
      return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  }
}
