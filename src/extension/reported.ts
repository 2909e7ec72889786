// Commands whose errors become notifications.
import * as vscode from 'vscode';
import { errorMessage } from './errors';

/** fn, with its errors shown as a notification; the command's result (for tests and other commands) is returned. */
export function reported<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R | undefined> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      void vscode.window.showErrorMessage(errorMessage(err));
      return undefined;
    }
  };
}
