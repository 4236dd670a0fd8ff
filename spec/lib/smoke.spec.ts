import { expect } from 'chai';
import { Host, Node } from '../../src/index';
import { Printer } from '../support/printer';
import { recordingLogger } from '../support/fixtures';
import { nextEvent } from '../../src/testing';

describe('smoke', () => {
  it('acquires, reads, calls, sets, signals over tcp', async () => {
    const logger = recordingLogger();
    const host = new Host('tcp://127.0.0.1:0', { logger });
    await host.listening;
    const printer = new Printer();
    expect(host.enableRemoting(printer)).to.equal(true);
    const node = new Node({ logger });
    await node.connectToNode(host.hostUrl);
    const r = node.acquire(Printer);
    expect(r.state).to.equal('default');
    expect(r.inkLevel).to.equal(100);
    printer.inkLevel = 42;
    expect(await r.waitForSource(2000)).to.equal(true);
    expect(r.inkLevel).to.equal(42);
    expect(await r.print('hello')).to.equal(5);
    expect(await r.add(2, 3)).to.equal(5);
    const changed = nextEvent(r, 'inkLevelChanged');
    r.inkLevel = 7;
    expect(await changed).to.deep.equal([7]);
    expect(printer.inkLevel).to.equal(7);
    const sig = nextEvent(r, 'jammed');
    printer.jammed(3, 'paper');
    expect(await sig).to.deep.equal([3, 'paper']);
    const dyn = node.acquireDynamic('Printer');
    expect(await dyn.waitForSource(2000)).to.equal(true);
    expect(dyn.get('inkLevel')).to.equal(7);
    expect(await dyn.invoke('greet', 'bob')).to.equal('hello bob');
    await node.close();
    await host.close();
    expect(logger.lines).to.deep.equal([]);
  });
});
