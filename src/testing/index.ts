// tsro/testing: what a service's test suite needs to drive it through the same replicas its
// clients use: a host and a node joined in memory or over loopback (TestNetwork), awaiting an
// event, a value or a state with failures that say what happened instead (nextEvent, waitFor,
// waitForState, collectEvents, expectNoEvent) and a clock the test moves (TestClock). No test runner is
// assumed: it works under mocha, node --test, jest and vitest alike.

export { TestNetwork, type TestNetworkOptions, type TestLogLine } from './test-network';
export { nextEvent, type NextEventOptions } from './next-event';
export { waitFor, type WaitForOptions } from './wait-for';
export { waitForState, type WaitForStateOptions } from './wait-for-state';
export { collectEvents, EventLog, type LoggedEvent } from './event-log';
export { expectNoEvent, type ExpectNoEventOptions } from './expect-no-event';
export { TestClock } from './test-clock';
export type { EventTargetLike, UntypedTarget } from './describe';
export type { ReplicaLike, ReplicaEventName, ReplicaEventArgs, ReplicaPropertyName } from './replica-event-types';
