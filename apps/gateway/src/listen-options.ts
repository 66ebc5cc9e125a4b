/**
 * Connections the kernel may queue on the gateway's port while the event loop is busy (listen(2)'s backlog;
 * the kernel caps it at net.core.somaxconn). In the embedded mode the simulator answers provider calls on
 * this same port, so a burst of sends opens hundreds of connections to it at once, and its receipts come
 * back to it. Past Node's default of 511 the kernel drops the handshakes it cannot queue; a client whose
 * handshake looked complete has already written its request and waits for a retransmission (1 s, then 3,
 * then 7), so the provider call times out after the request left: an ambiguous send, retried or left
 * unresolved (docs/performance.md, "Embedded: the listen backlog and SQLite page caches").
 */
export const LISTEN_BACKLOG = 4_096;

export interface GatewayListenOptions {
  readonly port: number;
  readonly host: string;
  readonly backlog: number;
}

export const gatewayListenOptions = (http: { readonly port: number; readonly host: string }): GatewayListenOptions => ({
  port: http.port,
  host: http.host,
  backlog: LISTEN_BACKLOG,
});
