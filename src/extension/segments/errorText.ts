// Error messages that say what failed and why, in the user's terms. Pure: no vscode.
import type { SegmentInfo } from '../../protocol/segment';
import { formatKeyLabel } from '../format';

import { errorCode, errorMessage } from '../errors';

export { errorCode, errorMessage };

/** "segment 5 belongs to user postgres (uid 999)". */
export function ownership(info: Pick<SegmentInfo, 'id' | 'uid' | 'user' | 'perms'>): string {
  const who = info.user && info.user !== String(info.uid) ? `user ${info.user} (uid ${info.uid})` : `uid ${info.uid}`;
  return `segment ${info.id} belongs to ${who}, permissions ${info.perms}`;
}

/**
 * Why an operation on a segment failed, for a notification:
 * "permission denied: segment 5 belongs to user postgres (uid 999), permissions rw-------".
 */
export function failureReason(err: unknown, info?: SegmentInfo): string {
  const code = errorCode(err);
  const msg = errorMessage(err);
  if ((code === 'EACCES' || code === 'EPERM') && info) {
    return `permission denied: ${ownership(info)}`; // EPERM too, as ipcrm says
  }
  if (code === 'ECHANGED') return `${msg.replace(/:\s*nothing done\s*$/, '')}. Nothing was removed or changed; refresh and try again`;
  if ((code === 'EINVAL' || code === 'EIDRM' || code === 'ENOENT') && info) return `segment ${info.id} no longer exists (${msg})`;
  return msg;
}

/** "Destroy segment 0x0000abcd (id 5) failed: permission denied: …". */
export function describeFailure(action: string, err: unknown, info?: SegmentInfo): string {
  const what = info ? ` segment ${formatKeyLabel(info.key)} (id ${info.id})` : '';
  return `${action}${what} failed: ${failureReason(err, info)}`;
}
