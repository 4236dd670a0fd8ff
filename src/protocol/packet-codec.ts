// Encodes and decodes whole packets. Decoding failures become PROTOCOL_ERROR so that the
// connection layer can close the offending connection with a typed error.

import { ProtocolError } from '../errors';
import type { DecodedPacket, PacketMessage } from './messages';
import { schema } from './schema';

const Packet = schema.Packet;

/** The encoded bytes of one packet (without the frame's length prefix). */
export function encodePacket(p: PacketMessage): Uint8Array {
  return Packet.encode(p).finish();
}

/** Decodes one frame; throws PROTOCOL_ERROR if it is not a packet with a kind this version knows. */
export function decodePacket(frame: Uint8Array): DecodedPacket {
  const decoded = decodeKnownPacket(frame);
  if (!decoded) throw new ProtocolError('PROTOCOL_ERROR', `frame of ${frame.length} bytes carries no known packet`);
  return decoded;
}

/**
 * Decodes one frame; undefined for a well-formed packet of a kind this version does not know
 * (a newer peer's), which the caller may ignore. When the frame sets several members of the
 * Packet oneof, the last one read wins, as in every protobuf implementation.
 */
export function decodeKnownPacket(frame: Uint8Array): DecodedPacket | undefined {
  let decoded: DecodedPacket;
  try {
    decoded = Packet.decode(frame) as unknown as DecodedPacket;
  } catch (err) {
    throw new ProtocolError('PROTOCOL_ERROR', `undecodable frame of ${frame.length} bytes: ${(err as Error).message}`, err);
  }
  return decoded.kind ? decoded : undefined;
}
