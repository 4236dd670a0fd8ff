// Pins the worked example of the API signature in docs/PROTOCOL.md: the canonical text a third
// party computes by hand from the algorithm there, and the SHA-256 of it, must be what tsro
// computes from the decorated class. A change here is a wire-format change.

import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { Property, RemoteObjectType, Signal, Slot } from '../../src';
import { apiOf } from '../../src/api/metadata';

@RemoteObjectType('Thermostat')
class Thermostat {
  @Property({ type: 'double' }) temperature = 20.5;
  @Property({ type: 'bool', readonly: true }) heating = false;
  @Signal({ params: ['int32', 'string'] }) alarm(_level: number, _text: string): void {}
  @Slot({ params: ['double'], returns: 'bool' }) setTarget(_t: number): boolean {
    return true;
  }
}

const CANONICAL_TEXT = [
  'tsro-api/1',
  'type "Thermostat"',
  'property "temperature":double:writable',
  'property "heating":bool:readonly',
  'signal "alarm"(int32,string)/2->void',
  'slot "setTarget"(double)/1->bool',
].join('\n');
const SIGNATURE = '8770e950ed270164b2696ba2b007c7da8369e519e82e2317eb2378a25dae1f1f';

describe('API signature: the worked example of docs/PROTOCOL.md', () => {
  it('is the SHA-256 of the canonical text', () => {
    expect(createHash('sha256').update(CANONICAL_TEXT, 'utf8').digest('hex')).to.equal(SIGNATURE);
  });

  it('is what tsro computes for the decorated class', () => {
    expect(apiOf(Thermostat).signature).to.equal(SIGNATURE);
  });

  it('is the text and the signature the document shows', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'docs', 'PROTOCOL.md'), 'utf8');
    expect(doc).to.contain('```\n' + CANONICAL_TEXT + '\n```');
    expect(doc).to.contain('`' + SIGNATURE + '`');
  });
});
