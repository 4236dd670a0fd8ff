// Remote errors keep their data: what a slot throws arrives with its own enumerable properties
// (remoteData), its cause chain (as RemoteErrors), and a stack that shows the caller's frames.

import { expect } from 'chai';
import { RemoteError, RemoteObjectType, Slot, type Replica } from '../../src/index';
import { transports } from '../support/fixtures';
import { World, WAIT_MS, rejectionOf } from '../support/e2e';

class SensorError extends Error {
  override name = 'SensorError';
  constructor(
    message: string,
    readonly sensorId: number,
    readonly code: string,
  ) {
    super(message);
  }
}

@RemoteObjectType('Sensors')
class Sensors {
  @Slot() read(): number {
    throw new SensorError('sensor offline', 17, 'E_OFFLINE');
  }
  @Slot() async readLater(): Promise<number> {
    await Promise.resolve();
    const low = new RangeError('voltage low');
    (low as unknown as { volts: number }).volts = 2.9;
    throw new Error('reading failed', { cause: new TypeError('bus error', { cause: low }) });
  }
  @Slot() plain(): number {
    throw { code: 42, where: 'plain' } as unknown as Error;
  }
  @Slot() mixed(): number {
    const e = new Error('partly carriable') as Error & Record<string, unknown>;
    e['ok'] = [1, 2];
    e['fn'] = () => 1;
    e['sym'] = Symbol('s');
    throw e;
  }
  @Slot() primitive(): number {
    throw 'just a string' as unknown as Error;
  }
}

for (const t of transports()) {
  describe(`remote errors keep their data (${t.name})`, () => {
    let w: World;
    let r: Replica<Sensors>;
    beforeEach(async () => {
      w = new World();
      const host = await w.host(t.url());
      host.enableRemoting(new Sensors());
      const node = await w.connectedNode(host);
      r = node.acquire(Sensors);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
    });
    afterEach(() => w.close());

    it('an Error\'s own properties arrive as remoteData', async () => {
      const err = (await rejectionOf(r.read())) as RemoteError;
      expect(err).to.be.instanceOf(RemoteError);
      expect(err.remoteName).to.equal('SensorError');
      expect(err.remoteMessage).to.equal('sensor offline');
      expect(err.remoteData).to.deep.equal({ name: 'SensorError', sensorId: 17, code: 'E_OFFLINE' });
      expect(err.code).to.equal('REMOTE');
      expect(err.cause).to.equal(undefined);
    });

    it('the cause chain arrives as RemoteErrors, each with its own data', async () => {
      const err = (await rejectionOf(r.readLater())) as RemoteError;
      expect(err.remoteMessage).to.equal('reading failed');
      const cause = err.cause as RemoteError;
      expect(cause).to.be.instanceOf(RemoteError);
      expect(cause.remoteName).to.equal('TypeError');
      expect(cause.remoteMessage).to.equal('bus error');
      const root = cause.cause as RemoteError;
      expect(root).to.be.instanceOf(RemoteError);
      expect(root.remoteName).to.equal('RangeError');
      expect(root.remoteData).to.deep.equal({ volts: 2.9 });
      expect(root.cause).to.equal(undefined);
    });

    it('a thrown non-Error object arrives as remoteData', async () => {
      const err = (await rejectionOf(r.plain())) as RemoteError;
      expect(err.remoteData).to.deep.equal({ code: 42, where: 'plain' });
      expect(err.remoteName).to.equal('Error');
    });

    it('properties that cannot be carried are left out, the rest arrive', async () => {
      const err = (await rejectionOf(r.mixed())) as RemoteError;
      expect(err.remoteData).to.deep.equal({ ok: [1, 2] });
    });

    it('a thrown primitive arrives as the message, with empty remoteData', async () => {
      const err = (await rejectionOf(r.primitive())) as RemoteError;
      expect(err.remoteMessage).to.equal('just a string');
      expect(err.remoteData).to.deep.equal({});
    });

    it('the rejection\'s stack shows the caller\'s own frames', async () => {
      async function readTheSensorHere(): Promise<number> {
        return await r.read();
      }
      const err = await rejectionOf(readTheSensorHere());
      expect(err.stack).to.include('readTheSensorHere');
    });
  });
}
