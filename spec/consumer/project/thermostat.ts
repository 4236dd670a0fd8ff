// A user's service: the Thermostat of the getting-started guide, with every kind of member a
// consumer declares (fields, a validated field, a get/set pair, a getter alone, a signal, a slot).
import { EventEmitter } from 'node:events';
import { notifyPropertyChanged, Property, RemoteObjectType, Signal, Slot } from 'tsro';

@RemoteObjectType('Thermostat')
export class Thermostat extends EventEmitter {
  /** A plain field: under useDefineForClassFields it is an own data property until remoted. */
  @Property() reading = 20.5;
  @Property({ readonly: true }) heating = false;
  @Property({
    validate(value: number) {
      if (value < 5 || value > 30) throw new RangeError(`target ${value} is outside 5..30`);
    },
  })
  target = 21;

  #mode = 'auto';
  /** A get/set pair: the class's setter runs for every set, local or remote. */
  @Property()
  get mode(): string {
    return this.#mode;
  }
  set mode(value: string) {
    this.#mode = value.toLowerCase();
  }

  /** A getter alone: read-only, replicated when the class reports a change. */
  @Property()
  get fahrenheit(): number {
    return Math.round((this.reading * 9) / 5 + 32);
  }

  @Signal() alarm(level: number, text: string): Signal {}

  @Slot() async boost(by: number): Promise<number> {
    this.reading += by;
    notifyPropertyChanged(this, 'fahrenheit');
    if (this.reading > 25) this.alarm(2, 'too hot');
    return this.reading;
  }
}
