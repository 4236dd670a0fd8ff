// Scenario 3: property updates. 200 k distinct values set on the source (in the bench process),
// 1000 per event-loop turn; time until a replica in another process has seen the last one, and
// how many it received (tsro does not coalesce, so all of them are expected). See push.ts.

import { goal } from '../goals';
import { pushScenario } from '../push';

export const properties = pushScenario({
  name: 'properties',
  title: 'property updates',
  kind: 'property',
  metric: (updates) => `${updates / 1000}k updates, 1 replica`,
  noun: 'updates',
  target: goal('properties'),
  qtro: 392_000,
});
