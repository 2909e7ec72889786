// A tiny event emitter with vscode's shape (event(listener) -> disposable), so the document
// model needs no vscode import at run time and can be unit-tested in plain node.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> {
  private listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Call every listener; one that throws does not stop the others. */
  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        console.error('[shm-inspector] listener failed:', err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
