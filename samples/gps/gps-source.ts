// The host side of the GPS receiver: a simulated receiver that walks a fixed track, one step per
// timer tick, so every run of the demo prints the same positions.
//
// Constructing it does nothing but set fields; `start()` starts the timer and `stop()` (or the
// last of `updates` steps) stops it, clears the fix and resolves the promise `start()` returned.

import { GpsApi } from './gps-api';

export interface GpsRunOptions {
  /** Time between two positions, in ms. Default 100. */
  readonly intervalMs?: number;
  /** Stop by itself after this many positions. Default: run until stop(). */
  readonly updates?: number;
}

// Where the track starts (Oslo, where Qt began) and how far each step goes.
const START_LAT = 59.9139;
const START_LON = 10.7522;
const STEP_LAT = 0.0012;
const STEP_LON = -0.0021;

export class GpsSource extends GpsApi {
  private timer: ReturnType<typeof setInterval> | undefined;
  private step = 0;
  private finished: (() => void) | undefined;

  /** True between start() and the end of the run. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Acquires a fix and starts publishing positions. Resolves when the run ends. */
  start(options: GpsRunOptions = {}): Promise<void> {
    if (this.timer) throw new Error('the receiver is already running');
    const { intervalMs = 100, updates = Infinity } = options;
    this.step = 0;
    this.satellites = 7;
    this.fix = true;
    return new Promise<void>((resolve) => {
      this.finished = resolve;
      this.timer = setInterval(() => {
        this.advance();
        if (this.step >= updates) this.stop();
      }, intervalMs);
    });
  }

  /** Stops publishing and drops the fix. Idempotent. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.satellites = 0;
    this.fix = false;
    const finished = this.finished;
    this.finished = undefined;
    finished?.();
  }

  /** One simulated reading: move along the track, then tell everyone. */
  private advance(): void {
    this.step += 1;
    // Rounded so the printed numbers stay short; still doubles on the wire.
    this.latitude = round(START_LAT + this.step * STEP_LAT);
    this.longitude = round(START_LON + this.step * STEP_LON);
    this.satellites = 6 + (this.step % 4);
    this.positionUpdated(this.latitude, this.longitude);
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
