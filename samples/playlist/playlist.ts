// Sample: a music player whose playlist (100 000 tracks) is a model, and a remote "screen" that
// shows ten rows of it. The screen learns the track count at once, fetches only the rows it
// shows (row() misses, batched, redrawn on rowsChanged), scrolls, and follows what happens at
// the player: a track appended while it shows the end, a track renamed, tracks moved, its own
// edit forwarded to the player. One process, host and node over tcp loopback.
//
//   node dist/samples/playlist/playlist.js

import 'reflect-metadata';
import { Field, Host, ListModel, Node, Property, RemoteObjectType, ValueType, type ModelReplica, type Replica } from '../../src/index';

@ValueType('Track')
export class Track {
  @Field({ type: 'string' }) title = '';
  @Field({ type: 'int32' }) seconds = 0;
}

function track(title: string, seconds: number): Track {
  return Object.assign(new Track(), { title, seconds });
}

@RemoteObjectType('Player')
export class Player {
  @Property({ type: 'string' }) room = 'kitchen';
  @Property({ model: Track }) playlist = new ListModel(Track);
}

const say = (line: string): void => console.log(`[playlist] ${line}`);

/** A screen of `height` rows over a model replica: draws what it has, redraws when rows land. */
class Screen {
  top = 0;
  private drawn = '';
  constructor(
    private readonly rows: ModelReplica<Track>,
    private readonly height: number,
  ) {
    rows.on('rowsChanged', (start, count) => {
      if (start < this.top + this.height && start + count > this.top) this.draw();
    });
  }

  /** True once every visible row is in the cache. */
  get complete(): boolean {
    for (let i = this.top; i < Math.min(this.top + this.height, this.rows.rowCount); i++) if (!this.rows.hasRow(i)) return false;
    return true;
  }

  scrollTo(top: number): void {
    this.top = top;
    this.draw();
  }

  draw(): void {
    const lines: string[] = [];
    for (let i = this.top; i < Math.min(this.top + this.height, this.rows.rowCount); i++) {
      const t = this.rows.row(i); // a miss fetches it; rowsChanged redraws
      lines.push(t ? `${String(i).padStart(6)}  ${t.title} (${Math.floor(t.seconds / 60)}:${String(t.seconds % 60).padStart(2, '0')})` : `${String(i).padStart(6)}  …`);
    }
    const text = lines.join('\n');
    if (text === this.drawn || !this.complete) return;
    this.drawn = text;
    say(`rows ${this.top}-${this.top + lines.length - 1} of ${this.rows.rowCount}:`);
    for (const l of lines) console.log(`  ${l}`);
  }

  async settled(): Promise<void> {
    while (!this.complete) await new Promise<void>((resolve) => this.rows.once('rowsChanged', () => resolve()));
  }
}

async function main(): Promise<void> {
  const player = new Player();
  player.playlist.replace(Array.from({ length: 100_000 }, (_, i) => track(`Song ${i + 1}`, 120 + ((i * 37) % 180))));
  const host = new Host('tcp://127.0.0.1:0');
  await host.listening;
  host.enableRemoting(player);

  const node = new Node();
  await node.connectToNode(host.hostUrl);
  const remote: Replica<Player> = node.acquire(Player);
  await remote.waitForSource(5000);
  const rows = remote.playlist as unknown as ModelReplica<Track>;
  await rows.waitForSource(5000);
  say(`the player in the ${remote.room} has ${rows.rowCount} tracks; columns: ${rows.columns.join(', ')}`);

  const screen = new Screen(rows, 5);
  screen.scrollTo(0);
  await screen.settled();
  screen.scrollTo(50_000);
  await screen.settled();

  // The player renames a track on screen: only that row travels.
  const changed = new Promise<void>((resolve) => rows.once('rowsChanged', () => resolve()));
  player.playlist.set(50_002, track('Song 50003 (live)', 301));
  await changed;
  say('the player renamed track 50002');
  screen.draw();

  // Show the end; the player appends a track: it comes along, since the screen holds its neighbour.
  screen.scrollTo(rows.rowCount - 5);
  await screen.settled();
  const appended = new Promise<[number, number]>((resolve) => rows.once('rowsInserted', (s, c) => resolve([s, c])));
  player.playlist.push(track('Encore', 199));
  const [at, n] = await appended;
  say(`the player appended ${n} track at ${at}; cached already: ${rows.hasRow(at)}`);
  screen.scrollTo(rows.rowCount - 5);

  // The screen edits a row: forwarded to the player, which applies it.
  await rows.set(rows.rowCount - 1, track('Encore (extended)', 420));
  say(`the player now has "${player.playlist.at(-1)!.title}" last`);

  // The player moves the last two tracks to the top.
  const moved = new Promise<number[]>((resolve) => rows.once('rowsMoved', (s, c, d) => resolve([s, c, d])));
  player.playlist.move(player.playlist.length - 2, 2, 0);
  say(`rowsMoved(${(await moved).join(', ')})`);
  screen.scrollTo(0);
  await screen.settled();
  say(`the screen's cache holds ${rows.cachedRowCount} of ${rows.rowCount} rows`);

  remote.release();
  await node.close();
  await host.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
