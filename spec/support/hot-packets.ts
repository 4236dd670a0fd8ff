// Shared by the hot-decoder tests and the fuzz tests: a handler that records what the hot
// decoder delivers, and the same view of a packet computed through the general decoder.

import type { HotPacketHandler } from '../../src/protocol/hot-decoder';
import type { DecodedPacket } from '../../src/protocol/messages';
import { decodeValue, decodeValues } from '../../src/protocol/value-codec';

/** A delivered hot packet: its kind, then the handler's arguments. */
export type Seen = [string, ...unknown[]];

export function hotRecorder(): { handler: Required<HotPacketHandler>; seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    handler: {
      propertyChange: (...a) => seen.push(['propertyChange', ...a]),
      signal: (...a) => seen.push(['signal', ...a]),
      invoke: (...a) => seen.push(['invoke', ...a]),
      replyValue: (...a) => seen.push(['replyValue', ...a]),
      streamItems: (...a) => seen.push(['streamItems', ...a]),
    },
  };
}

/**
 * What the general path makes of a packet the hot path took. Throws for packets the hot path
 * must never take (error replies, other kinds).
 */
export function generalView(p: DecodedPacket): Seen {
  switch (p.kind) {
    case 'propertyChange':
      return ['propertyChange', p.propertyChange!.source ?? 0, p.propertyChange!.index ?? 0, decodeValue(p.propertyChange!.value ?? {})];
    case 'signal':
      return ['signal', p.signal!.source ?? 0, p.signal!.index ?? 0, decodeValues(p.signal!.args)];
    case 'invoke':
      return ['invoke', p.invoke!.source ?? 0, p.invoke!.index ?? 0, p.invoke!.serial ?? 0, decodeValues(p.invoke!.args)];
    case 'reply':
      if (p.reply!.error) throw new Error('the hot path took an error reply');
      return ['replyValue', p.reply!.serial ?? 0, decodeValue(p.reply!.value ?? {})];
    case 'streamItems':
      return ['streamItems', p.streamItems!.serial ?? 0, decodeValues(p.streamItems!.items)];
    default:
      throw new Error(`the hot path took a ${p.kind} packet`);
  }
}
