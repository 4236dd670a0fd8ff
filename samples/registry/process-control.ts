// What the registry sample's processes share beyond stopping (../shutdown-requested.ts):
// reporting their URL to the demo.

export function reportListening(url: string): void {
  process.send?.({ type: 'listening', url });
}
