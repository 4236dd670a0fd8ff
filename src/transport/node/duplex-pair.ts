// Two Duplex streams joined back to back: what one writes, the other reads. Carries tsro in
// process (a host's replicas of its own sources) and in tests, with the same framing and
// protocol as a socket. Ending one side is seen by the other as the peer hanging up, like a
// socket's FIN; destroying one side ends the other. (node:stream has duplexPair only from
// Node 22.6.)

import { Duplex } from 'node:stream';

export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const eofSent = [false, false];
  const sendEof = (to: number): void => {
    const other = ends[to]!;
    if (eofSent[to] || other.destroyed) return;
    eofSent[to] = true;
    other.push(null);
  };
  const make = (self: number): Duplex => {
    const to = 1 - self;
    return new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const other = ends[to]!;
        if (!eofSent[to] && !other.destroyed) other.push(chunk);
        callback();
      },
      final(callback) {
        sendEof(to);
        callback();
      },
      destroy(error, callback) {
        sendEof(to);
        callback(error);
      },
    });
  };
  ends.push(make(0), make(1));
  return [ends[0]!, ends[1]!];
}
