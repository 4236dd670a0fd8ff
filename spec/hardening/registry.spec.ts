// The registry is an ordinary remoted source, so any peer that can connect to a RegistryHost can
// call its slots. Registering a name first is first-come (see SECURITY.md: without
// authentication the registry trusts its peers for that), but a peer must not be able to take
// over or withdraw what another host registered.

import { expect } from 'chai';
import { Host, Node, RegistryHost, type HostOptions } from '../../src/index';
import { within } from '../support/fixtures';
import { Printer } from '../support/printer';
import { WAIT_MS, World, expectTsro, rejectionOf } from '../support/e2e';

describe('hardening: the registry facing a hostile peer', function () {
  this.timeout(20_000);

  let w: World;
  let registry: RegistryHost;
  let hostA: Host;
  let intruder: Node;

  beforeEach(async () => {
    w = new World();
    const options: HostOptions = { logger: w.hostLog };
    registry = new RegistryHost('tcp://127.0.0.1:0', options);
    w.defer(() => registry.close());
    await within(registry.listening, WAIT_MS, 'the registry to listen');
    hostA = new Host('tcp://127.0.0.1:0', options);
    w.defer(() => hostA.close());
    await within(hostA.listening, WAIT_MS, 'host A to listen');
    hostA.setRegistryUrl(registry.hostUrl);
    expect(hostA.enableRemoting(new Printer())).to.equal(true);
    intruder = w.node({ registryUrl: registry.hostUrl });
    expect(await intruder.waitForRegistry(WAIT_MS)).to.equal(true);
    const reg = intruder.registry!;
    if (reg.sourceLocations.get('Printer')?.hostUrl !== hostA.hostUrl) {
      await within(
        new Promise<void>((resolve) => {
          const check = (): void => {
            if (reg.sourceLocations.get('Printer')?.hostUrl === hostA.hostUrl) {
              reg.off('sourceLocationsChanged', check);
              resolve();
            }
          };
          reg.on('sourceLocationsChanged', check);
        }),
        WAIT_MS,
        'host A\'s Printer to be registered',
      );
    }
  });

  afterEach(() => w.close());

  it('a peer cannot overwrite the registry\'s directory (readonly) or take a registered name', async () => {
    const reg = intruder.registry!;
    expect(() => {
      (reg as unknown as { sourceLocations: unknown }).sourceLocations = new Map();
    }).to.throw().with.property('code', 'READONLY');
    const dyn = intruder.acquireDynamic('Registry');
    expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
    expectTsro(await rejectionOf(dyn.set('sourceLocations', new Map())), 'READONLY');
    // Claiming the name while host A holds it: refused (queued behind it), the directory unchanged.
    const evil = { typeName: 'Printer', hostUrl: 'tcp://127.0.0.1:1', signature: reg.sourceLocations.get('Printer')!.signature };
    expect(await reg.addSource('Printer', evil)).to.equal(false);
    expect(reg.sourceLocations.get('Printer')?.hostUrl).to.equal(hostA.hostUrl);
  });

  // removeSource withdraws (or unqueues) only entries the calling connection registered itself and
  // returns false otherwise, leaving the directory and its signals untouched: a peer cannot withdraw
  // another host's name and then register its own URL under it.
  it('a peer cannot withdraw (and so hijack) a name another host registered', async () => {
    const reg = intruder.registry!;
    let removed = 0;
    reg.on('remoteObjectRemoved', () => removed++);
    expect(await reg.removeSource('Printer', hostA.hostUrl)).to.equal(false);
    expect(reg.sourceLocations.get('Printer')?.hostUrl).to.equal(hostA.hostUrl);
    const evil = { typeName: 'Printer', hostUrl: 'tcp://127.0.0.1:1', signature: reg.sourceLocations.get('Printer')!.signature };
    expect(await reg.addSource('Printer', evil)).to.equal(false);
    // A round trip later, nothing changed for anyone.
    await reg.removeSource('NoSuchName', 'tcp://127.0.0.1:2');
    expect(reg.sourceLocations.get('Printer')?.hostUrl).to.equal(hostA.hostUrl);
    expect(removed).to.equal(0);
  });
});
