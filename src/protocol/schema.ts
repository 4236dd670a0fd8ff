// The message types of src/protocol/tsro.proto, the protocol's single source of truth. They are
// built from tsro-descriptor.ts, the .proto as a JSON descriptor generated at build time, so
// this layer needs no file system and only protobufjs's light build (no .proto parser): it runs
// in any JavaScript runtime. protobufjs compiles an encoder and decoder per type on first use, so
// building the types at load time costs nothing per message compared with generated static code.

import * as protobuf from 'protobufjs/light';
import { TSRO_DESCRIPTOR } from './tsro-descriptor';
import { platform } from '../util/platform';

const root = protobuf.Root.fromJSON(TSRO_DESCRIPTOR);
root.resolveAll();

// protobufjs gives each oneof (e.g. Packet.kind) an accessor whose setter deletes every other
// member of the oneof; the decoder assigns it once per message, so every decoded Packet and
// Value paid ~14 deletes (a fifth of the time of a slot call). A plain writable slot on the
// prototype instead: decoding then stores the name of the member it read as an own property,
// and `kind` is read like any field. Encoding never looks at it.
// (The accessor is not configurable, so the message prototype is rebuilt without it.)
function plainOneofs(ns: protobuf.NamespaceBase): void {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type && nested.oneofsArray.length > 0) {
      const ctor = nested.ctor as unknown as { prototype: object };
      const old = ctor.prototype;
      const descriptors = Object.getOwnPropertyDescriptors(old);
      for (const oneof of nested.oneofsArray) {
        descriptors[oneof.name] = { value: undefined, writable: true, enumerable: false, configurable: true };
      }
      ctor.prototype = Object.create(Object.getPrototypeOf(old), descriptors);
    }
    if (nested instanceof protobuf.Namespace) plainOneofs(nested);
  }
}
plainOneofs(root);

// protobufjs builds a string shorter than 64 bytes by `+=` of 8-character pieces: a rope of
// ~9 heap objects for a 30-byte string, ~300 bytes of heap, where one flat string is 56. A frame
// full of such strings held 8x its size. The platform's UTF-8 decoder (Node's own, in Node.js)
// makes one flat string; it is given the same strictness (invalid UTF-8 throws, and decoding
// fails as before).
const utf8 = (protobuf.util as unknown as { utf8?: { readStrict?: (b: Uint8Array, start: number, end: number) => string } }).utf8;
if (utf8 !== undefined && typeof utf8.readStrict === 'function') {
  utf8.readStrict = (b: Uint8Array, start: number, end: number): string => {
    if (end <= start) return '';
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (b[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii && !platform.isUtf8(b, start, end)) throw new TypeError('invalid UTF-8 in a string field');
    return platform.utf8Slice(b, start, end);
  };
}

/** Every message type of the protocol, by its .proto name. */
export const schema = {
  Packet: root.lookupType('tsro.v1.Packet'),
  Value: root.lookupType('tsro.v1.Value'),
  ApiDefinition: root.lookupType('tsro.v1.ApiDefinition'),
  TypeRef: root.lookupType('tsro.v1.TypeRef'),
} as const;

/** Enum values of the protocol, by name. */
export const enums = {
  Scalar: root.lookupEnum('tsro.v1.Scalar').values,
  PropertyMode: root.lookupEnum('tsro.v1.PropertyMode').values,
} as const;
