import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { Server } from 'node:http';

/**
 * Bounds how long HTTP connections keep a shutdown waiting. `server.close()` waits for every open request,
 * and a held-open SSE stream or sync wait would keep the process (and the Kafka consumers that close after
 * HTTP) alive forever: idle keep-alive connections close at once, the rest after the grace period.
 */
export class HttpGrace implements BeforeApplicationShutdown {
  server?: Server;
  private timer?: NodeJS.Timeout;

  constructor(private readonly graceMs: number) {}

  beforeApplicationShutdown(): void {
    const server = this.server;
    if (!server || this.timer) return;
    server.closeIdleConnections();
    this.timer = setTimeout(() => server.closeAllConnections(), this.graceMs);
    this.timer.unref();
    server.once('close', () => clearTimeout(this.timer));
  }
}
