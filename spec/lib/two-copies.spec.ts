// Two copies of tsro in one process (two installs, or a file-path import beside the package
// name): a class declared with one copy's decorators and remoted or acquired through the other
// would replicate nothing (its values live in the declaring copy's module state). Both ways are
// refused with DECLARATION_INVALID that says what happened. Here the second copy is the package
// itself ('tsro', compiled to dist/lib) beside the sources the other specs import (dist/src).

import { expect } from 'chai';
import * as packaged from 'tsro';
import { Host, Node, UsageError, silentLogger } from '../../src/index';
import { TCP_ANY, recordingLogger } from '../support/fixtures';

@packaged.RemoteObjectType('OtherCopy')
class DeclaredElsewhere {
  @packaged.Property({ type: 'int32' }) level = 1;
}

describe('two copies of tsro in one process', () => {
  it('are two copies here (the package and the sources), so the test means something', () => {
    expect(packaged.Host).to.not.equal(Host);
  });

  it('enableRemoting refuses a class declared with the other copy (false, and a warning naming it and the fix)', async () => {
    const logger = recordingLogger();
    const host = new Host(TCP_ANY, { logger });
    try {
      await host.listening;
      expect(host.enableRemoting(new DeclaredElsewhere())).to.equal(false);
      const line = logger.lines.find((l) => l.message.includes('DeclaredElsewhere'));
      expect(line, JSON.stringify(logger.lines)).to.not.equal(undefined);
      const err = line!.error as UsageError;
      expect(err).to.be.instanceOf(UsageError);
      expect(err?.code).to.equal('DECLARATION_INVALID');
      expect(err?.message).to.match(/DeclaredElsewhere: its decorators come from another copy of tsro.*npm ls tsro/);
    } finally {
      await host.close();
    }
  });

  it('acquire refuses it too', async () => {
    const node = new Node({ logger: silentLogger });
    try {
      expect(() => node.acquire(DeclaredElsewhere)).to.throw(UsageError, /another copy of tsro/);
    } finally {
      await node.close();
    }
  });

  it('the same class through its own copy works as usual', async () => {
    const host = new packaged.Host(TCP_ANY, { logger: packaged.silentLogger });
    const node = new packaged.Node({ logger: packaged.silentLogger });
    try {
      await host.listening;
      expect(host.enableRemoting(new DeclaredElsewhere())).to.equal(true);
      await node.connectToNode(host.hostUrl);
      const replica = node.acquire(DeclaredElsewhere);
      expect(await replica.waitForSource(5000)).to.equal(true);
      expect(replica.level).to.equal(1);
    } finally {
      await node.close();
      await host.close();
    }
  });
});
