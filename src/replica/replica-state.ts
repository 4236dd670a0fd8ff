// The states a replica can be in (QtRO's QRemoteObjectReplica::State, in camelCase).
//  uninitialized      dynamic replica that has never seen its source: no API, no values
//  default            typed replica before its first initialization: the class's initial values
//  valid              initialized and connected: values are the source's
//  suspect            was valid, lost its source (connection lost, source disabled): last values
//  signatureMismatch  typed replica whose class's API differs from the source's: nothing applied
/**
 * Where a replica stands (QtRO's QRemoteObjectReplica::State): `uninitialized` (a dynamic replica
 * that has not seen its source), `default` (a typed replica before its first initialization: the
 * class's initial values), `valid` (initialized and connected), `suspect` (lost its source: last
 * values kept), `signatureMismatch` (a typed replica whose class's API differs from the source's:
 * nothing applied; `replica.signatureMismatch` says what differs).
 */
export type ReplicaState = 'uninitialized' | 'default' | 'valid' | 'suspect' | 'signatureMismatch';
