// What the registry sample's processes share: reporting their URL to the demo and waiting to be
// told to stop (IPC shutdown, the IPC channel closing, SIGINT or SIGTERM).

export function reportListening(url: string): void {
  process.send?.({ type: 'listening', url });
}

export function stopRequested(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('message', onMessage);
      process.off('disconnect', done);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    const onMessage = (m: { cmd?: string }): void => {
      if (m?.cmd === 'shutdown') done();
    };
    process.on('message', onMessage);
    process.on('disconnect', done);
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
