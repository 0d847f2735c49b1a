/** The parts of express' request and response it watches. */
interface Watched {
  writableFinished: boolean;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/**
 * Notices a caller that goes away. Attach it first thing in a handler: `res` 'close' fires when the connection
 * ends before the response was finished, and a connection that dropped earlier (during the body read) is
 * seen from its destroyed socket. `req` 'close' is no use: it fires once the body has been read.
 */
export class ClientDisconnect {
  private readonly controller = new AbortController();
  private readonly onClose = () => {
    if (!this.res.writableFinished) this.controller.abort();
  };

  constructor(
    req: { socket?: { destroyed: boolean } | null },
    private readonly res: Watched,
  ) {
    res.on('close', this.onClose);
    if (req.socket?.destroyed) this.controller.abort();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get gone(): boolean {
    return this.controller.signal.aborted;
  }

  /** Runs `action` once if the caller leaves (at once if it already left). */
  onGone(action: () => void): void {
    if (this.gone) action();
    else this.controller.signal.addEventListener('abort', action, { once: true });
  }

  dispose(): void {
    this.res.off('close', this.onClose);
  }
}
