// The kit's own specs (spec/testing/) share this setup: before each test a TestNetwork in memory
// with a Printer remoted on its host; after it, the network closes (failing the test if tsro
// logged an error).

import { TestNetwork } from '../../src/testing';
import { Printer } from './printer';

export interface PrinterNetwork {
  readonly net: TestNetwork;
  readonly printer: Printer;
}

export function usePrinterNetwork(): PrinterNetwork {
  let current: PrinterNetwork | undefined;
  const now = (): PrinterNetwork => current ?? expectInTest();
  beforeEach(async () => {
    const net = await TestNetwork.create();
    const printer = new Printer();
    net.host.enableRemoting(printer);
    current = { net, printer };
  });
  afterEach(async () => {
    const net = current?.net;
    current = undefined;
    await net?.close();
  });
  return {
    get net() {
      return now().net;
    },
    get printer() {
      return now().printer;
    },
  };
}

function expectInTest(): never {
  throw new Error('the printer network is only there during a test (beforeEach to afterEach)');
}
