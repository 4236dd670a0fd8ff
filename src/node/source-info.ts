// A source as a host announces it (SourceList, SourceAdded, SourcePage), read from its message.

import { ProtocolError } from '../errors';
import type { SourceInfoMessage } from '../protocol/messages';

/** A source as a host announced it. */
export interface SourceInfo {
  readonly id: number;
  readonly name: string;
  readonly typeName: string;
  readonly signature: string;
  /** A hidden child object source: acquirable, but not listed by instances() or knownSources(). */
  readonly child?: boolean;
}

/** The SourceInfo of an announcement; a PROTOCOL_ERROR if it lacks an id or a name. */
export function sourceInfo(m: SourceInfoMessage | null | undefined): SourceInfo {
  if (!m || !m.id || !m.name) throw new ProtocolError('PROTOCOL_ERROR', 'source announced without id or name');
  const info = { id: m.id, name: m.name, typeName: m.typeName ?? '', signature: m.signature ?? '' };
  return m.child ? { ...info, child: true } : info;
}
