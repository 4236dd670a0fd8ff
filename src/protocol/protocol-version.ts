// The protocol version both sides announce in their Handshake, and the rules for changing it.
//
// - Both sides must announce the same version: a different one closes the connection with
//   PROTOCOL_MISMATCH (the side that notices sends Goodbye first). There is no negotiation.
// - Bump it on any change to src/protocol/tsro.proto that a peer of the previous version would
//   misread: a field whose meaning changes, a packet a peer must answer or act on, an ordering
//   rule. Adding a field or a packet kind that a peer may safely skip does not need a bump.
// - From version 2, an admitted peer skips a packet of a kind it does not know (a Packet field
//   number it has no member for), so that such additions stay compatible; before admission
//   any packet but Handshake and Goodbye closes the connection, whatever its kind.
//
// History: 1, the first protocol. 2, unknown packet kinds are skipped after admission (version 1
// closed the connection on them); AcquireRefused (a negative answer to Acquire).
export const PROTOCOL_VERSION = 2;
