// The printer itself, on the host side. A document takes one page per 40 characters and 5% ink
// per page; pages take `pageMs` each. Every second job of two pages or more jams on its second
// page (deterministically, so the demo always shows it): the `jammed` signal goes out and the
// job carries on. A job the ink does not cover, or one sent while busy, is refused by throwing,
// which the caller receives as a RemoteError.

import { PrinterApi } from './printer-api';

export const CHARS_PER_PAGE = 40;
export const INK_PER_PAGE = 5;

/** Thrown by print() when the ink does not cover the document. */
export class OutOfInkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutOfInkError';
  }
}

export class PrinterService extends PrinterApi {
  private jobs = 0;

  /** `pageMs`: how long one page takes. Nothing else happens here: no timers, no I/O. */
  constructor(private readonly pageMs = 20) {
    super();
  }

  /** Jobs completed so far. Not remoted: declared on the subclass, without a decorator. */
  get jobsPrinted(): number {
    return this.jobs;
  }

  override async print(doc: string): Promise<number> {
    if (this.busy) throw new Error('the printer is busy with another job');
    const pages = Math.max(1, Math.ceil(doc.length / CHARS_PER_PAGE));
    const ink = pages * INK_PER_PAGE;
    if (ink > this.inkLevel) {
      throw new OutOfInkError(`${pages} pages need ${ink}% ink, ${this.inkLevel}% left`);
    }
    const job = this.jobs + 1;
    this.busy = true;
    try {
      for (let page = 1; page <= pages; page++) {
        await new Promise((resolve) => setTimeout(resolve, this.pageMs));
        if (job % 2 === 0 && page === 2) this.jammed(page, 'paper jam');
      }
      this.inkLevel -= ink;
      this.jobs = job;
      return pages;
    } finally {
      // Runs before the promise settles, so replicas see busy=false before the reply.
      this.busy = false;
    }
  }
}
