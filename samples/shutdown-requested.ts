// What every long-running sample process needs: to know when it is told to stop (an IPC
// `{ cmd: 'shutdown' }` from the demo, the IPC channel closing, SIGINT or SIGTERM).

/** Resolves with the reason when this process is told to stop; dispose() removes the listeners. */
export function shutdownRequested(): { promise: Promise<string>; dispose(): void } {
  let resolve!: (why: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  const onMessage = (m: { cmd?: string }): void => {
    if (m?.cmd === 'shutdown') resolve('told to shut down');
  };
  const onDisconnect = (): void => resolve('the IPC channel closed');
  const onSignal = (signal: NodeJS.Signals): void => resolve(`got ${signal}`);
  process.on('message', onMessage);
  process.on('disconnect', onDisconnect);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    promise,
    dispose() {
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
