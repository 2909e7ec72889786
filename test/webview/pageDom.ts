// Types for the callbacks that page.evaluate, waitForFunction and $$eval run IN THE BROWSER. The
// test project has no DOM lib (its Node code must not see browser globals), so a callback sees
// the page through this small typed view: `(globalThis as unknown as PageGlobals).document`.
// Types only: a callback travels to the page as text, so it can use nothing imported at run time.
import type { FakeHostApi } from './fakeHost';

export interface PageEvent { readonly timeStamp: number }

export interface PageRect { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number; readonly width: number; readonly height: number }

/** getComputedStyle's answer: the properties the tests compare. */
export interface PageStyle {
  readonly color: string;
  readonly backgroundColor: string;
  readonly outlineStyle: string;
  readonly outlineColor: string;
  readonly boxShadow: string;
}

export interface PageElement {
  readonly id: string;
  readonly className: string;
  readonly textContent: string | null;
  readonly hidden: boolean;
  readonly tagName: string;
  readonly outerHTML: string;
  readonly tabIndex: number;
  /** An input's or select's value (undefined on other elements). */
  readonly value?: string;
  /** An input's or select's labels (undefined on other elements). */
  readonly labels?: Iterable<PageElement> | null;
  readonly parentElement: PageElement | null;
  readonly offsetParent: PageElement | null;
  readonly offsetHeight: number;
  readonly clientWidth: number;
  readonly clientHeight: number;
  readonly scrollWidth: number;
  readonly scrollHeight: number;
  scrollTop: number;
  readonly dataset: Readonly<Record<string, string | undefined>>;
  readonly classList: { contains(name: string): boolean };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & { readonly length: number };
  closest(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): PageRect;
  dispatchEvent(event: PageEvent): boolean;
  addEventListener(type: string, listener: (e: PageEvent) => void, options?: { capture?: boolean; once?: boolean }): void;
}

export interface PageDocument extends PageElement {
  readonly activeElement: PageElement | null;
  readonly body: PageElement;
  getElementById(id: string): { textContent: string | null } | null;
}

export interface PageDataTransfer {
  setData(format: string, data: string): void;
  getData(format: string): string;
}

export interface PageGlobals {
  document: PageDocument;
  fakeHost: FakeHostApi;
  performance: { now(): number };
  getComputedStyle(element: PageElement): PageStyle;
  Event: new (type: string) => PageEvent;
  requestAnimationFrame(callback: () => void): number;
  setTimeout(callback: () => void, ms: number): number;
  setInterval(callback: () => void, ms: number): number;
  MutationObserver: new (callback: () => void) => { observe(target: PageElement | null, options: Record<string, boolean>): void; disconnect(): void };
  DataTransfer: new () => PageDataTransfer;
  ClipboardEvent: new (type: string, init: { clipboardData: PageDataTransfer; bubbles: boolean; cancelable: boolean }) => PageEvent;
  /** timeUntilCell's measurement, awaited by a second evaluate. */
  __timing?: Promise<number>;
  /** bench/webviewScenarios.ts's writer interval. */
  __writer?: number;
}
