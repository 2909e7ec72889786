// Small DOM helpers shared by the toolbar and the panels.

/** A plain button (type=button, so it never submits a form) with a tooltip. */
export function button(className: string, text: string, title: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = text;
  b.title = title;
  return b;
}
