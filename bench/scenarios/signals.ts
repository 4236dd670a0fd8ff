// Scenario 4: signals. 200 k emissions of `tick(n: int32, s: string)` (s = "hello") on the source
// in the bench process, 1000 per event-loop turn; time until a replica in another process has
// received the last one. See push.ts.

import { goal } from '../goals';
import { pushScenario } from '../push';

export const signals = pushScenario({
  name: 'signals',
  title: 'signals',
  kind: 'signal',
  metric: (updates) => `${updates / 1000}k signals (int, string)`,
  noun: 'signals',
  target: goal('signals'),
});
