// Loads src/protocol/tsro.proto, the protocol's single source of truth, and exposes its message
// types. protobufjs compiles an encoder and decoder per type on first use, so loading the text at
// run time costs nothing per message compared with generated static code.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';

function findProto(): string {
  // Compiled code lives in dist/src/protocol; sources in src/protocol. Walk up to the package root.
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'src', 'protocol', 'tsro.proto');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`tsro: src/protocol/tsro.proto not found above ${__dirname}`);
}

/** Absolute path of the .proto file in use. */
export const PROTO_PATH = findProto();

const root = protobuf.parse(fs.readFileSync(PROTO_PATH, 'utf8'), { keepCase: false }).root;
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
