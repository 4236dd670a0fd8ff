// TypeScript shapes of the protocol messages (the object form protobufjs encodes from and
// decodes to). src/protocol/tsro.proto is the authority; these mirror it field for field.
// Decoded messages leave unset scalars at their defaults (0, '', false) and unset messages null.

import type { ApiDefinitionMessage, TypeRefMessage } from './api-codec';
import type { ValueMessage } from './value-codec';

type Opt<T> = T | null | undefined;

export interface SourceInfoMessage {
  id?: Opt<number>;
  name?: Opt<string>;
  typeName?: Opt<string>;
  signature?: Opt<string>;
  /** A hidden child object source. */
  child?: Opt<boolean>;
}

export interface ErrorInfoMessage {
  code?: Opt<string>;
  name?: Opt<string>;
  message?: Opt<string>;
  data?: Opt<ValueMessage>;
  cause?: Opt<ErrorInfoMessage>;
}

export interface PacketMessage {
  propertyChange?: Opt<{ source?: Opt<number>; index?: Opt<number>; value?: Opt<ValueMessage> }>;
  invoke?: Opt<{ source?: Opt<number>; index?: Opt<number>; serial?: Opt<number>; args?: Opt<ValueMessage[]> }>;
  reply?: Opt<{ serial?: Opt<number>; value?: Opt<ValueMessage>; error?: Opt<ErrorInfoMessage> }>;
  signal?: Opt<{ source?: Opt<number>; index?: Opt<number>; args?: Opt<ValueMessage[]> }>;
  setProperty?: Opt<{ source?: Opt<number>; index?: Opt<number>; value?: Opt<ValueMessage>; serial?: Opt<number> }>;
  handshake?: Opt<{ version?: Opt<number>; agent?: Opt<string>; maxFrameSize?: Opt<number>; credential?: Opt<ValueMessage>; sourceListLimit?: Opt<number> }>;
  sourceList?: Opt<{ sources?: Opt<SourceInfoMessage[]>; partial?: Opt<boolean>; total?: Opt<number> }>;
  sourceAdded?: Opt<{ source?: Opt<SourceInfoMessage> }>;
  sourceRemoved?: Opt<{ source?: Opt<number> }>;
  acquire?: Opt<{ source?: Opt<number>; wantDefinition?: Opt<boolean>; sharedStream?: Opt<boolean> }>;
  release?: Opt<{ source?: Opt<number> }>;
  init?: Opt<{
    source?: Opt<number>;
    values?: Opt<ValueMessage[]>;
    definition?: Opt<ApiDefinitionMessage>;
    /** uint64: a number when encoding; decoded as a number or a Long (see streamSeqOf). */
    streamSeq?: Opt<number | { toNumber(): number }>;
  }>;
  ping?: Opt<{ nonce?: Opt<number> }>;
  pong?: Opt<{ nonce?: Opt<number> }>;
  goodbye?: Opt<{ error?: Opt<ErrorInfoMessage> }>;
  cancel?: Opt<{ serial?: Opt<number>; code?: Opt<string> }>;
  streamItems?: Opt<{ serial?: Opt<number>; items?: Opt<ValueMessage[]> }>;
  streamCredit?: Opt<{ serial?: Opt<number>; items?: Opt<number> }>;
  modelInit?: Opt<{ source?: Opt<number>; count?: Opt<number>; rowType?: Opt<TypeRefMessage>; readonly?: Opt<boolean> }>;
  rowsRequest?: Opt<{
    source?: Opt<number>;
    request?: Opt<number>;
    start?: Opt<number>;
    count?: Opt<number>;
    cacheSize?: Opt<number>;
    fields?: Opt<string[]>;
    uncached?: Opt<boolean>;
  }>;
  rowsReply?: Opt<{ source?: Opt<number>; request?: Opt<number>; start?: Opt<number>; rows?: Opt<ValueMessage[]>; error?: Opt<ErrorInfoMessage> }>;
  rowsInserted?: Opt<{ source?: Opt<number>; start?: Opt<number>; count?: Opt<number>; rows?: Opt<ValueMessage[]> }>;
  rowsRemoved?: Opt<{ source?: Opt<number>; start?: Opt<number>; count?: Opt<number> }>;
  rowsMoved?: Opt<{ source?: Opt<number>; start?: Opt<number>; count?: Opt<number>; destination?: Opt<number> }>;
  rowsChanged?: Opt<{ source?: Opt<number>; start?: Opt<number>; rows?: Opt<ValueMessage[]> }>;
  modelReset?: Opt<{ source?: Opt<number>; count?: Opt<number> }>;
  rowSet?: Opt<{ source?: Opt<number>; request?: Opt<number>; index?: Opt<number>; row?: Opt<ValueMessage> }>;
  acquireRefused?: Opt<{ source?: Opt<number>; error?: Opt<ErrorInfoMessage> }>;
  sourceQuery?: Opt<{ request?: Opt<number>; names?: Opt<string[]>; after?: Opt<number>; limit?: Opt<number> }>;
  sourcePage?: Opt<{ request?: Opt<number>; sources?: Opt<SourceInfoMessage[]>; next?: Opt<number> }>;
}

/** Which member of the Packet oneof is set (protobufjs exposes it as `packet.kind`). */
export type PacketKind = Exclude<keyof PacketMessage, never>;

/** A decoded packet: exactly one kind set, named by `kind`. */
export type DecodedPacket = PacketMessage & { readonly kind: PacketKind };
