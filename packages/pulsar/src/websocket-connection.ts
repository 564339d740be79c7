import type { Socket } from 'node:net';
import { backoffDelay, type BackoffPolicy } from '@addispay/runtime';
import WebSocket from 'ws';

/** What the WebSocket adapter reports about its connections (reconnects are normal; services log them). */
export interface ConnectionLogger {
  warn(details: object, message: string): void;
}

export interface ReconnectingSocketOptions {
  /** Called before every connection attempt: a reader resumes after the last message it saw. */
  readonly url: () => string;
  readonly token?: string | undefined;
  readonly onMessage: (text: string) => void;
  /** The socket dropped (not by close()): in-flight requests on it are lost. */
  readonly onDrop?: (error: Error) => void;
  readonly pingIntervalMs: number;
  /** How long the first connection may take (retrying with backoff) before open() rejects. */
  readonly connectTimeoutMs: number;
  readonly backoff: BackoffPolicy;
  readonly logger?: ConnectionLogger | undefined;
}

/** HTTP answers to the upgrade request that retrying cannot fix. */
const FATAL_STATUSES = new Set([400, 401, 403, 404, 409]);

export class WebSocketUpgradeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'WebSocketUpgradeError';
  }
}

/**
 * One WebSocket to the broker that comes back after it drops: reconnects with backoff, pings so idle sessions are
 * not closed by the broker (5 minutes) or by proxies, and terminates a socket whose pong never came.
 */
export class ReconnectingSocket {
  private socket: WebSocket | undefined;
  /** The TCP socket under `socket`, corked while frames of the current event-loop turn gather. */
  private tcp: Socket | undefined;
  private corked = false;
  private closed = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private openWaiters: Array<() => void> = [];

  private constructor(private readonly options: ReconnectingSocketOptions) {}

  /** Resolves once connected; rejects on a fatal upgrade answer or after connectTimeoutMs. */
  static async open(options: ReconnectingSocketOptions): Promise<ReconnectingSocket> {
    const connection = new ReconnectingSocket(options);
    const deadline = Date.now() + options.connectTimeoutMs;
    for (;;) {
      try {
        await connection.connectOnce();
        return connection;
      } catch (error) {
        const fatal = error instanceof WebSocketUpgradeError && FATAL_STATUSES.has(error.status);
        if (fatal || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(connection.attempt++, options.backoff)));
      }
    }
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends if connected; returns false otherwise. */
  send(text: string): boolean {
    if (!this.isOpen || !this.socket) return false;
    this.gatherFrames();
    this.socket.send(text);
    return true;
  }

  /**
   * Frames sent in the same turn of the event loop leave in one write: a write per frame (a syscall that also
   * runs the loopback receiver's TCP stack) was a tenth of a busy service's CPU.
   */
  private gatherFrames(): void {
    const tcp = this.tcp;
    if (!tcp || this.corked) return;
    this.corked = true;
    tcp.cork();
    setImmediate(() => {
      this.corked = false;
      tcp.uncork();
    });
  }

  /** Resolves when connected (immediately if already), rejects after timeoutMs or on close(). */
  whenOpen(timeoutMs: number): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        clearTimeout(timer);
        if (this.isOpen) resolve();
        else reject(new Error('connection closed'));
      };
      const timer = setTimeout(() => {
        this.openWaiters = this.openWaiters.filter((other) => other !== waiter);
        reject(new Error(`not connected to the broker within ${timeoutMs} ms`));
      }, timeoutMs);
      this.openWaiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.releaseWaiters();
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => socket.terminate(), 2_000);
      socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000);
    });
  }

  private connectOnce(): Promise<void> {
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    // No permessage-deflate: protobuf payloads in base64 barely compress, and deflating every frame on both ends
    // was the largest single CPU cost of a service under load (see docs/benchmarks.md).
    const socket = new WebSocket(this.options.url(), { headers, handshakeTimeout: 10_000, perMessageDeflate: false });
    this.socket = socket;
    this.tcp = undefined;
    socket.once('upgrade', (response) => (this.tcp = response.socket));
    return new Promise((resolve, reject) => {
      let opened = false;
      let failure: Error | undefined;
      socket.on('unexpected-response', (_request, response) => {
        failure = new WebSocketUpgradeError(
          response.statusCode ?? 0,
          `broker refused ${redactUrl(this.options.url())}: HTTP ${response.statusCode} ${response.statusMessage ?? ''}`,
        );
        response.resume();
        socket.terminate();
      });
      socket.on('error', (error) => {
        failure ??= error;
      });
      socket.once('open', () => {
        opened = true;
        this.attempt = 0;
        this.startPings(socket);
        this.releaseWaiters();
        resolve();
      });
      socket.on('message', (data, isBinary) => {
        if (!isBinary) this.options.onMessage(data.toString());
      });
      socket.once('close', (code, reason) => {
        clearInterval(this.pingTimer);
        const error = failure ?? new Error(`socket closed (${code} ${reason.toString()})`);
        if (!opened || this.socket !== socket) return reject(error);
        if (this.closed) return;
        this.options.onDrop?.(error);
        this.scheduleReconnect(error);
      });
    });
  }

  private scheduleReconnect(cause: Error): void {
    const delay = backoffDelay(this.attempt++, this.options.backoff);
    this.options.logger?.warn(
      { url: redactUrl(this.options.url()), attempt: this.attempt, delayMs: delay, cause: cause.message },
      'pulsar websocket dropped; reconnecting',
    );
    this.retryTimer = setTimeout(() => {
      if (this.closed) return;
      this.connectOnce().catch((error: Error) => this.scheduleReconnect(error));
    }, delay);
  }

  private startPings(socket: WebSocket): void {
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, this.options.pingIntervalMs);
    this.pingTimer.unref();
  }

  private releaseWaiters(): void {
    const waiters = this.openWaiters;
    this.openWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

function redactUrl(url: string): string {
  return url.replace(/\?.*$/, '');
}
