// Models as properties of a source (QtRO's MODEL members): `@Property({ model: Track })`. The
// host remotes the ListModel as a hidden child model source; a typed replica's property is a
// ModelReplica<Track> (rows as Track instances), a dynamic replica's a ModelReplica of plain rows.
// The row type is part of the parent's signature; replicas cannot assign the property.

import { expect } from 'chai';
import { DynamicReplica, Field, ListModel, ModelReplica, Property, RemoteObjectType, ValueType, type Host, type Node, type Replica } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { transports, until } from '../support/fixtures';
import { nextEvent } from './next-event';
import { World, WAIT_MS, expectTsro, rejectionOf, thrownBy } from '../support/e2e';

@ValueType('Song')
class Song {
  @Field({ type: 'string' }) title = '';
  @Field({ type: 'int32' }) seconds = 0;
}

function song(title: string, seconds: number): Song {
  return Object.assign(new Song(), { title, seconds });
}

@RemoteObjectType('Player')
class Player {
  @Property({ type: 'string' }) room = 'living room';
  @Property({ model: Song }) playlist = new ListModel(Song);
}

@RemoteObjectType('Player')
class PlayerOfStrings {
  @Property({ type: 'string' }) room = 'living room';
  @Property({ model: 'string' }) playlist = new ListModel<string>('string');
}

describe('models as properties: declarations', () => {
  it('declares a readonly child of type tsro.ListModel whose signature covers the row type', () => {
    const api = apiOf(Player);
    const p = api.propertyByName.get('playlist')!;
    expect(p.readonly).to.equal(true);
    expect(p.type).to.have.nested.property('child.typeName', 'tsro.ListModel');
    expect(apiOf(PlayerOfStrings).signature).to.not.equal(api.signature);
  });

  it('refuses model with type, and a model of another row type', () => {
    expectTsro(
      thrownBy(() => {
        class Bad {
          @Property({ model: 'string', type: 'string' }) x = new ListModel('string');
        }
        return Bad;
      }),
      'DECLARATION_INVALID',
    );
    const p = new Player();
    expectTsro(thrownBy(() => (p.playlist = new ListModel('string') as unknown as ListModel<Song>)), 'TYPE_MISMATCH');
  });
});

for (const t of transports()) {
  describe(`models as properties over ${t.name}`, () => {
    let w: World;
    let host: Host;
    let node: Node;
    let player: Player;

    beforeEach(async () => {
      w = new World();
      host = await w.host(t.url());
      player = new Player();
      player.playlist.push(song('a', 1), song('b', 2), song('c', 3));
      host.enableRemoting(player);
      node = await w.connectedNode(host);
    });

    afterEach(() => w.close());

    it('a typed replica shows a ModelReplica<Song> with Song rows; changes and sets travel as rows', async () => {
      const r: Replica<Player> = node.acquire(Player);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      const list = r.playlist as unknown as ModelReplica<Song>;
      expect(list).to.be.instanceOf(ModelReplica);
      expect(await list.waitForSource(WAIT_MS)).to.equal(true);
      expect(list.rowCount).to.equal(3);
      const rows = await list.fetch(0, 3);
      expect(rows[1]).to.be.instanceOf(Song);
      expect(rows.map((s) => s.title)).to.deep.equal(['a', 'b', 'c']);
      const inserted = nextEvent(list, 'rowsInserted', WAIT_MS);
      player.playlist.push(song('d', 4));
      expect(await inserted).to.deep.equal([3, 1]);
      expect(list.row(3)).to.be.instanceOf(Song);
      await list.set(0, song('A', 10));
      expect(player.playlist.at(0)!.title).to.equal('A');
      expect((list.row(0) as Song).title).to.equal('A');
      expectTsro(thrownBy(() => ((r as { playlist: unknown }).playlist = null)), 'READONLY');
    });

    it('a dynamic replica shows a ModelReplica of plain rows', async () => {
      const d: DynamicReplica = node.acquireDynamic('Player');
      expect(await d.waitForSource(WAIT_MS)).to.equal(true);
      const list = d.get('playlist') as ModelReplica<{ title: string; seconds: number }>;
      expect(list).to.be.instanceOf(ModelReplica);
      expect(await list.waitForSource(WAIT_MS)).to.equal(true);
      expect(list.columns).to.deep.equal(['title', 'seconds']);
      expect(await list.fetch(2, 1)).to.deep.equal([{ title: 'c', seconds: 3 }]);
      expectTsro(await rejectionOf(d.set('playlist', null)), 'READONLY');
    });

    it('a new model assigned to the property is a new child model; the replica follows it', async () => {
      const d = node.acquireDynamic('Player');
      expect(await d.waitForSource(WAIT_MS)).to.equal(true);
      const first = d.get('playlist') as ModelReplica<Song>;
      expect(await first.waitForSource(WAIT_MS)).to.equal(true);
      const changed = nextEvent(d, 'playlistChanged', WAIT_MS);
      const next = new ListModel(Song);
      next.push(song('z', 26));
      player.playlist = next;
      const [second] = (await changed) as [ModelReplica<Song>];
      expect(second).to.not.equal(first);
      expect(await second.waitForSource(WAIT_MS)).to.equal(true);
      expect(second.rowCount).to.equal(1);
      await until(first, 'stateChanged', () => first.state !== 'valid', WAIT_MS);
    });

    it('a typed replica whose row type differs is signatureMismatch', async () => {
      const r = node.acquire(PlayerOfStrings);
      expect(await r.waitForSource(300)).to.equal(false);
      expect(r.state).to.equal('signatureMismatch');
    });
  });
}
