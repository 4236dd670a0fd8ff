// Mocha reporter for CI (wired in .mocharc.json): mocha's usual Spec output for humans, plus,
// when the run ends, `{ passes, failures, pending, tests }` as JSON in the file named by
// TSRO_TEST_SUMMARY (if set). `.ci/run` reads that file to print its one-line summary; a file
// left empty (mocha never reached the end of the run) counts as a failure there.
//
// Mocha loads reporters with require(), so this module's export is the class itself.

import * as fs from 'node:fs';
import Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class CiReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const file = process.env.TSRO_TEST_SUMMARY;
    if (!file) return;
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending, tests } = this.stats;
      fs.writeFileSync(file, `${JSON.stringify({ passes, failures, pending, tests })}\n`);
    });
  }
}

export = CiReporter;
