// Enums as property, signal and slot types (issue 6, "Richer object model"): declared once with
// the TypeScript enum object, values travel as the numbers or strings the enum defines, anything
// else is TYPE_MISMATCH, dynamic replicas see the members, and the members are in the signature.

import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { Property, RemoteObjectType, Signal, Slot, type DynamicReplica, type Replica } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { normalizeType } from '../../src/api/wire-type';
import { apiFromMessage, apiToMessage, type ApiDefinitionMessage } from '../../src/protocol/api-codec';
import { schema } from '../../src/protocol/schema';
import { transports, until } from '../support/fixtures';
import { WAIT_MS, bindingOf, expectTsro, recordEvents, rejectionOf, thrownBy, whenOffered } from '../support/e2e';
import { nextEvent, waitFor } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

enum Color {
  Red,
  Green,
  Blue = 10,
}

enum Mood {
  Happy = 'happy',
  Sad = 'sad',
}

/** Color with Blue's value changed: another API. */
enum ColorChanged {
  Red,
  Green,
  Blue = 11,
}

const MoodType = { enum: Mood, name: 'Mood' } as const;

@RemoteObjectType('Palette')
class Palette extends EventEmitter {
  @Property({ type: Color }) color: Color = Color.Red;
  @Property({ type: MoodType }) mood: Mood = Mood.Happy;
  @Property({ type: { array: Color } }) history: Color[] = [];
  @Property({ type: { nullable: Color } }) maybe: Color | null = null;
  @Signal({ params: [Color, MoodType] }) shifted(_color: Color, _mood: Mood): void {}
  @Slot({ params: [Color], returns: MoodType }) moodFor(color: Color): Mood {
    return color === Color.Red ? Mood.Sad : Mood.Happy;
  }
  @Slot({ params: [MoodType], returns: { array: Color } }) colorsFor(mood: Mood): Color[] {
    return mood === Mood.Sad ? [Color.Blue] : [Color.Red, Color.Green];
  }
  /** Returns whatever it is told to: for a return value outside the enum. */
  @Slot({ params: ['any'], returns: Color }) pick(value: unknown): Color {
    return value as Color;
  }
}

@RemoteObjectType('Palette')
class PaletteWithChangedEnum {
  @Property({ type: ColorChanged }) color: ColorChanged = ColorChanged.Red;
  @Property({ type: MoodType }) mood: Mood = Mood.Happy;
  @Property({ type: { array: ColorChanged } }) history: ColorChanged[] = [];
  @Property({ type: { nullable: ColorChanged } }) maybe: ColorChanged | null = null;
  @Signal({ params: [ColorChanged, MoodType] }) shifted(_color: ColorChanged, _mood: Mood): void {}
  @Slot({ params: [ColorChanged], returns: MoodType }) moodFor(_color: ColorChanged): Mood {
    return Mood.Happy;
  }
  @Slot({ params: [MoodType], returns: { array: ColorChanged } }) colorsFor(_mood: Mood): ColorChanged[] {
    return [];
  }
  @Slot({ params: ['any'], returns: ColorChanged }) pick(value: unknown): ColorChanged {
    return value as ColorChanged;
  }
}

describe('object model: enum declarations', () => {
  it('round-trips enum types (0, -0, empty strings included) through the API definition bytes', () => {
    // An enum-shaped object (TypeScript folds an enum's `-0` to 0).
    const Edge = { Zero: 0, NegZero: -0, Half: 0.5, Empty: '' } as const;
    @RemoteObjectType('Edges')
    class Edges {
      @Property({ type: { enum: Edge, name: 'Edge' } }) e: number | string = Edge.Zero;
    }
    const api = apiOf(Edges);
    const bytes = schema.ApiDefinition.encode(apiToMessage(api) as never).finish();
    const back = apiFromMessage(schema.ApiDefinition.decode(bytes) as unknown as ApiDefinitionMessage);
    expect(back.signature).to.equal(api.signature);
    const members = (back.properties[0]!.type as { enum: Record<string, unknown> }).enum;
    expect(Object.keys(members)).to.deep.equal(['Zero', 'NegZero', 'Half', 'Empty']);
    expect(Object.is(members.NegZero, -0)).to.equal(true);
    expect(members.Empty).to.equal('');
  });

  it('refuses a broken enum in a received API definition (PROTOCOL_ERROR)', () => {
    const withType = (type: object): ApiDefinitionMessage => ({ typeName: 'T', properties: [{ name: 'p', type, mode: 0 }] });
    for (const type of [
      { enumType: { members: [] } },
      { enumType: { members: [{ name: 'A', number: 1 }, { name: 'A', number: 2 }] } },
      { enumType: { members: [{ name: '', number: 1 }] } },
      { enumType: { members: [{ name: 'A' }] } },
      { valueType: { name: 'P', fields: [] } },
      { valueType: { name: '', fields: [{ name: 'x', type: { scalar: 5 } }] } },
      { valueType: { name: 'P', fields: [{ name: 'x', type: { scalar: 5 } }, { name: 'x', type: { scalar: 5 } }] } },
    ]) {
      expect(() => apiFromMessage(withType(type)), JSON.stringify(type)).to.throw().with.property('code', 'PROTOCOL_ERROR');
    }
    expect(() => apiFromMessage({ typeName: 'T', properties: [{ name: 'p', type: { scalar: 5 }, mode: 9 }] }))
      .to.throw().with.property('code', 'PROTOCOL_ERROR');
  });

  it('strips the reverse mappings of numeric enums and keeps member order', () => {
    const api = apiOf(Palette);
    expect(api.properties[0]!.type).to.deep.equal({ enum: { Red: 0, Green: 1, Blue: 10 } });
    expect(Object.keys((api.properties[0]!.type as { enum: object }).enum)).to.deep.equal(['Red', 'Green', 'Blue']);
    expect(api.properties[1]!.type).to.deep.equal({ enum: { Happy: 'happy', Sad: 'sad' }, name: 'Mood' });
    expect(api.slots[0]!.returns).to.deep.equal({ enum: { Happy: 'happy', Sad: 'sad' }, name: 'Mood' });
  });

  it('accepts mixed enums, and the explicit { enum } form for an enum shaped like a container type', () => {
    enum Mixed {
      A = 1,
      B = 'b',
    }
    expect(normalizeType(Mixed)).to.deep.equal({ enum: { A: 1, B: 'b' } });
    // A string enum whose only member is `array = 'int32'` looks like { array: 'int32' }...
    enum Tricky {
      array = 'int32',
    }
    expect(normalizeType(Tricky)).to.deep.equal({ array: 'int32' });
    // ...which { enum: X } always tells apart.
    expect(normalizeType({ enum: Tricky })).to.deep.equal({ enum: { array: 'int32' } });
  });

  it('refuses an empty enum, a non-enum object and a bad enum name (DECLARATION_INVALID)', () => {
    enum Empty {}
    for (const type of [Empty, { enum: Empty }, { a: true }, { enum: Color, name: '' }]) {
      const e = expectTsro(
        thrownBy(() => {
          @RemoteObjectType('Bad')
          class Bad {
            @Property({ type: type as never }) x = 0;
          }
          return Bad;
        }),
        'DECLARATION_INVALID',
      );
      expect(e.message).to.include('property "x"');
    }
  });

  it('puts names, values and order of the members in the signature', () => {
    enum Reordered {
      Green = 1,
      Red = 0,
      Blue = 10,
    }
    enum Renamed {
      Red,
      Verde,
      Blue = 10,
    }
    const sig = (type: unknown): string => {
      @RemoteObjectType('E')
      class E {
        @Property({ type: type as never }) x = 0;
      }
      return apiOf(E).signature;
    };
    const base = sig(Color);
    expect(sig(Color)).to.equal(base);
    expect(sig({ enum: Color })).to.equal(base);
    for (const other of [ColorChanged, Reordered, Renamed, { enum: Color, name: 'Color' }, 'int32']) {
      expect(sig(other), JSON.stringify(other)).to.not.equal(base);
    }
  });
});

for (const t of transports()) {
  describe(`object model: enums (${t.name})`, () => {
    const f = useWorld(t.url, { source: () => new Palette(), typed: Palette, dynamic: true });

    it('carries enum property values both ways, as the enum defines them', async () => {
      expect(f.r.color).to.equal(Color.Red);
      expect(f.r.mood).to.equal(Mood.Happy);
      f.source.color = Color.Blue;
      f.source.mood = Mood.Sad;
      f.source.history = [Color.Green, Color.Blue];
      await waitFor(f.r, 'history', (h) => h.length === 2);
      expect(f.r.color).to.equal(10).and.equal(Color.Blue);
      expect(f.r.mood).to.equal('sad').and.equal(Mood.Sad);
      expect(f.r.history).to.deep.equal([Color.Green, Color.Blue]);
      expect(f.dyn.get('color')).to.equal(10);
      expect(f.dyn.get('mood')).to.equal('sad');

      const changed = nextEvent(f.r, 'colorChanged');
      f.r.color = Color.Green;
      expect(await changed).to.deep.equal([Color.Green]);
      expect(f.source.color).to.equal(Color.Green);
      await f.dyn.set('mood', Mood.Happy);
      expect(f.source.mood).to.equal(Mood.Happy);
      await f.dyn.set('maybe', Color.Blue);
      expect(f.source.maybe).to.equal(Color.Blue);
      await f.dyn.set('maybe', null);
      expect(f.source.maybe).to.equal(null);
    });

    it('carries enum signal arguments and slot arguments and results', async () => {
      const typedLog = recordEvents(f.r, ['shifted']);
      const dynLog = recordEvents(f.dyn, ['shifted']);
      f.source.shifted(Color.Blue, Mood.Sad);
      await until(f.r, 'shifted', () => typedLog.length === 1);
      await until(f.dyn, 'shifted', () => dynLog.length === 1);
      expect(typedLog[0]!.args).to.deep.equal([Color.Blue, Mood.Sad]);
      expect(dynLog[0]!.args).to.deep.equal([10, 'sad']);

      expect(await f.r.moodFor(Color.Red)).to.equal(Mood.Sad);
      expect(await f.r.colorsFor(Mood.Sad)).to.deep.equal([Color.Blue]);
      expect(await f.dyn.invoke('moodFor', 10)).to.equal('happy');
      expect(await f.dyn.invoke('colorsFor', 'happy')).to.deep.equal([0, 1]);
    });

    it('refuses values outside the enum (TYPE_MISMATCH) wherever they cross', async () => {
      const log = recordEvents(f.r, ['colorChanged', 'moodChanged', 'shifted']);
      // On the source.
      let e = expectTsro(thrownBy(() => (f.source.color = 3 as Color)), 'TYPE_MISMATCH');
      expect(e.message).to.include('"color"').and.include('got number 3');
      expectTsro(thrownBy(() => (f.source.color = 'Red' as unknown as Color)), 'TYPE_MISMATCH'); // a key, not a value
      expectTsro(thrownBy(() => (f.source.mood = 'Happy' as Mood)), 'TYPE_MISMATCH');
      expectTsro(thrownBy(() => (f.source.history = [Color.Red, 2 as Color])), 'TYPE_MISMATCH');
      expectTsro(thrownBy(() => f.source.shifted(Color.Red, 'glad' as Mood)), 'TYPE_MISMATCH');
      expect(f.source.color).to.equal(Color.Red);
      // On replicas, before anything is sent.
      e = expectTsro(thrownBy(() => (f.r.color = 7 as Color)), 'TYPE_MISMATCH');
      expect(e.message).to.include('enum');
      expectTsro(await rejectionOf(f.dyn.set('mood', 'Happy')), 'TYPE_MISMATCH');
      expectTsro(await rejectionOf(f.dyn.set('color', '0')), 'TYPE_MISMATCH');
      expectTsro(await rejectionOf(f.r.moodFor(4 as Color)), 'TYPE_MISMATCH');
      expectTsro(await rejectionOf(f.dyn.invoke('colorsFor', 'glad')), 'TYPE_MISMATCH');
      // By the host, for what a replica did not check.
      const binding = bindingOf(f.host, 'Palette')!;
      const outcome = await new Promise<unknown>((resolve) => binding.invoke(0, [5], resolve));
      expect(outcome).to.have.nested.property('error.code', 'TYPE_MISMATCH');
      expect(() => binding.setProperty(0, { int: 5 })).to.throw().with.property('code', 'TYPE_MISMATCH');
      // A slot result outside the enum: REMOTE, remoteCode TYPE_MISMATCH.
      e = expectTsro(await rejectionOf(f.r.pick(42)), 'REMOTE');
      expect(e).to.have.property('remoteCode', 'TYPE_MISMATCH');
      expect(await f.r.pick(Color.Blue)).to.equal(Color.Blue);
      // Nothing reached a replica.
      f.source.color = Color.Green; // barrier
      await nextEvent(f.r, 'colorChanged');
      expect(log.map((x) => [x.event, ...x.args])).to.deep.equal([['colorChanged', Color.Green]]);
    });

    it('shows dynamic replicas the enum members (and name) in the API description', () => {
      const api = f.dyn.api!;
      expect(api.signature).to.equal(apiOf(Palette).signature);
      expect(api.propertyByName.get('color')!.type).to.deep.equal({ enum: { Red: 0, Green: 1, Blue: 10 } });
      expect(api.propertyByName.get('mood')!.type).to.deep.equal({ enum: { Happy: 'happy', Sad: 'sad' }, name: 'Mood' });
      expect(api.propertyByName.get('history')!.type).to.deep.equal({ array: { enum: { Red: 0, Green: 1, Blue: 10 } } });
      expect(api.propertyByName.get('maybe')!.type).to.deep.equal({ nullable: { enum: { Red: 0, Green: 1, Blue: 10 } } });
      expect(api.signalByName.get('shifted')!.params.map((p) => p.type)).to.deep.equal([
        { enum: { Red: 0, Green: 1, Blue: 10 } },
        { enum: { Happy: 'happy', Sad: 'sad' }, name: 'Mood' },
      ]);
      expect(api.slotByName.get('colorsFor')!.returns).to.deep.equal({ array: { enum: { Red: 0, Green: 1, Blue: 10 } } });
    });

    it('goes signatureMismatch when one side changed an enum value; a dynamic replica still works', async () => {
      const other = await f.w.connectedNode(f.host);
      await whenOffered(other, 'Palette');
      const mismatched = other.acquire(PaletteWithChangedEnum, 'Palette');
      expect(await mismatched.waitForSource(WAIT_MS)).to.equal(false);
      expect(mismatched.state).to.equal('signatureMismatch');
      expect(apiOf(PaletteWithChangedEnum).signature).to.not.equal(apiOf(Palette).signature);
      const otherDyn = other.acquireDynamic('Palette');
      expect(await otherDyn.waitForSource(WAIT_MS)).to.equal(true);
      expect(otherDyn.get('color')).to.equal(Color.Red);
    });
  });
}
