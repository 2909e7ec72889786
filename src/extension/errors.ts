// An error's code and message, for every part of the host. Pure: no vscode.

/** The errno name (EACCES, EINVAL, ...) an error carries, if any. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
