// The RemoteError a node rejects a call with, rebuilt from the host's error reply: name, message,
// code, the thrown value's data and its chain of causes.

import { RemoteError } from '../errors';
import type { ErrorInfoMessage } from '../protocol/messages';
import { decodeValue } from '../protocol/value-codec';

/** How many causes deep a RemoteError's chain is rebuilt (the host sends at most 8). */
const MAX_CAUSE_DEPTH = 8;

/** The RemoteError for an error reply. */
export function remoteError(info: ErrorInfoMessage, depth = 0): RemoteError {
  const code = info.code || 'REMOTE';
  let remoteData: Record<string, unknown> | undefined;
  if (info.data) {
    const data = decodeValue(info.data);
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) remoteData = data as Record<string, unknown>;
  }
  const cause = info.cause && depth < MAX_CAUSE_DEPTH ? remoteError(info.cause, depth + 1) : undefined;
  return new RemoteError(info.name || 'Error', info.message ?? '', code === 'REMOTE' ? undefined : code, { remoteData, cause });
}
