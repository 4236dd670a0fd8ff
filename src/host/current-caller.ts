// Who is calling the slot that is running right now: set by the host around the synchronous part
// of a slot call, so a source that must know its caller (the registry, which forgets a host's
// entries when that host's connection drops) can ask, without it being an argument. Undefined for
// a call made in-process. Apart from call-context.ts (which uses Node's AsyncLocalStorage)
// because the registry's API class, and so every node (browsers too), imports it.

let current: object | undefined;

/** The connection whose request is being handled, while a slot runs synchronously. */
export function currentCaller(): object | undefined {
  return current;
}

/** Makes `caller` current; returns the previous one, to be restored with another call. */
export function swapCaller(caller: object | undefined): object | undefined {
  const previous = current;
  current = caller;
  return previous;
}
