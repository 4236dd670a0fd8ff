// The protocol version both sides announce in their Handshake. Bump it on any change to
// src/protocol/tsro.proto that an older peer would misread.
export const PROTOCOL_VERSION = 1;
