// What the fake host serves, shared by the in-page fake host and the Node-side tests:
// the virtual segment's bytes and the theme variables VS Code would inject. No side effects.

export type ThemeName = 'dark' | 'light' | 'hc';

/**
 * The virtual segment's base content, computed from the offset (no memory even for GiBs).
 * Neighbours differ by 31 as in (offset*31+7)&0xff, and higher bits are mixed in so that a
 * page read from the wrong place (off by 256, 64 KiB, 4 GiB...) shows different bytes.
 * Also used by the tests to compute expectations.
 */
export function baseByte(offset: number): number {
  const lo = offset % 65536;
  const mid = Math.floor(offset / 65536) % 65536;
  const hi = Math.floor(offset / 4294967296);
  return (lo * 31 + 7 + Math.floor(lo / 256) * 13 + mid * 97 + hi * 53) & 0xff;
}

export const THEMES: Record<ThemeName, { bodyClass: string; kind: string; vars: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    kind: 'vscode-dark',
    vars: {
      'editorWidget-background': '#252526',
      'editorWidget-foreground': '#cccccc',
      'editorWidget-border': '#454545',
      'input-background': '#3c3c3c',
      'input-foreground': '#cccccc',
      'dropdown-background': '#3c3c3c',
      'dropdown-foreground': '#f0f0f0',
      'dropdown-border': '#3c3c3c',
      'button-secondaryBackground': '#3a3d41',
      'button-secondaryForeground': '#ffffff',
      'inputValidation-warningBackground': '#352a05',
      'inputValidation-warningBorder': '#b89500',
      'inputValidation-errorBackground': '#5a1d1d',
      'inputValidation-errorBorder': '#be1100',
      'editor-background': '#1e1e1e',
      'editor-foreground': '#d4d4d4',
      'editor-font-family': "'DejaVu Sans Mono', monospace",
      'editor-font-size': '14px',
      'font-family': 'sans-serif',
      'font-size': '13px',
      'editor-selectionBackground': '#264f78',
      'editor-inactiveSelectionBackground': '#3a3d41',
      'focusBorder': '#007fd4',
      'editorLineNumber-foreground': '#858585',
      'editorLineNumber-activeForeground': '#c6c6c6',
      'editor-findMatchHighlightBackground': 'rgba(234, 92, 0, 0.33)',
      'gitDecoration-modifiedResourceForeground': '#e2c08d',
      'errorForeground': '#f48771',
      'descriptionForeground': '#ccccccb3',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    kind: 'vscode-light',
    vars: {
      'editorWidget-background': '#f3f3f3',
      'editorWidget-foreground': '#616161',
      'editorWidget-border': '#c8c8c8',
      'input-background': '#ffffff',
      'input-foreground': '#616161',
      'input-border': '#cecece',
      'dropdown-background': '#ffffff',
      'dropdown-foreground': '#616161',
      'dropdown-border': '#cecece',
      'button-secondaryBackground': '#5f6a79',
      'button-secondaryForeground': '#ffffff',
      'inputValidation-warningBackground': '#f6f5d2',
      'inputValidation-warningBorder': '#b89500',
      'inputValidation-errorBackground': '#f2dede',
      'inputValidation-errorBorder': '#be1100',
      'editor-background': '#ffffff',
      'editor-foreground': '#000000',
      'editor-font-family': "'DejaVu Sans Mono', monospace",
      'editor-font-size': '14px',
      'font-family': 'sans-serif',
      'font-size': '13px',
      'editor-selectionBackground': '#add6ff',
      'editor-inactiveSelectionBackground': '#e5ebf1',
      'focusBorder': '#0090f1',
      'editorLineNumber-foreground': '#237893',
      'editorLineNumber-activeForeground': '#0b216f',
      'editor-findMatchHighlightBackground': 'rgba(234, 92, 0, 0.33)',
      'gitDecoration-modifiedResourceForeground': '#895503',
      'errorForeground': '#a1260d',
      'descriptionForeground': '#717171',
    },
  },
  hc: {
    bodyClass: 'vscode-high-contrast',
    kind: 'vscode-high-contrast',
    vars: {
      'editorWidget-background': '#0c141f',
      'editorWidget-foreground': '#ffffff',
      'editorWidget-border': '#6fc3df',
      'input-background': '#000000',
      'input-foreground': '#ffffff',
      'input-border': '#6fc3df',
      'dropdown-background': '#000000',
      'dropdown-foreground': '#ffffff',
      'dropdown-border': '#6fc3df',
      'button-secondaryBackground': '#000000',
      'button-secondaryForeground': '#ffffff',
      'button-border': '#6fc3df',
      'inputValidation-warningBackground': '#000000',
      'inputValidation-warningBorder': '#6fc3df',
      'inputValidation-errorBackground': '#000000',
      'inputValidation-errorBorder': '#6fc3df',
      'editor-background': '#000000',
      'editor-foreground': '#ffffff',
      'editor-font-family': "'DejaVu Sans Mono', monospace",
      'editor-font-size': '14px',
      'font-family': 'sans-serif',
      'font-size': '13px',
      'editor-selectionBackground': '#ffffff',
      'editor-selectionForeground': '#000000',
      'focusBorder': '#f38518',
      'contrastBorder': '#6fc3df',
      'contrastActiveBorder': '#f38518',
      'editorLineNumber-foreground': '#ffffff',
      'errorForeground': '#f48771',
    },
  },
};
