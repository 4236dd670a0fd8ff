// Shared streams: a transport that fans out by itself (NATS) lets a host publish each change of a
// source once, for every replica of it, instead of once per connection. A stream carries what a
// connection would (the encoded PropertyChange and SignalEmit packets of one source), each
// numbered from 1 so that a node can line it up with the Init it got through its connection and
// notice anything lost.
//
// A transport offers shared streams by putting one of these objects on the byte streams it hands
// out, under the SHARED_STREAMS symbol: a publisher on the streams a host accepts, a subscriber
// on the streams a node opens (FrameChannel passes it on to the FrameLink it makes of such a
// stream; a message-based link may carry one itself). Everything else about such a connection
// is ordinary.

/** The key under which a byte stream carries its shared-stream capability. */
export const SHARED_STREAMS: unique symbol = Symbol('tsro.sharedStreams');

/** Host side: the stream of one source, shared by every connection subscribed through it. */
export interface SharedStream {
  /** Number of the last packet published (0: none yet). */
  readonly seq: number;
  /** Publishes one encoded packet of the source (a change or a signal), numbered seq + 1. */
  sendEncoded(bytes: Uint8Array): boolean;
  /** Gives back one share; true when none is left (the caller stops feeding it). */
  release(): boolean;
}

/** Host side: opens (shares) the stream of a source. */
export interface SharedStreamPublisher {
  open(sourceId: number): SharedStream;
}

/**
 * Node side: subscribes to the stream of a source of the host at the other end. `onMessage`
 * gets each packet with its number, in order; `packet` is undefined for a mark (the publisher
 * saying "the last number is seq", sent once things go quiet, so a lost last packet is noticed).
 * Returns the way to unsubscribe. The subscription is in force before `subscribe` returns.
 */
export interface SharedStreamSubscriber {
  subscribe(sourceId: number, onMessage: (seq: number, packet: Uint8Array | undefined) => void): () => void;
}

/** The publisher a byte stream carries, if its transport has one. */
export function sharedStreamPublisherOf(stream: object): SharedStreamPublisher | undefined {
  return (stream as { [SHARED_STREAMS]?: SharedStreamPublisher })[SHARED_STREAMS];
}

/** The subscriber a byte stream carries, if its transport has one. */
export function sharedStreamSubscriberOf(stream: object): SharedStreamSubscriber | undefined {
  return (stream as { [SHARED_STREAMS]?: SharedStreamSubscriber })[SHARED_STREAMS];
}
