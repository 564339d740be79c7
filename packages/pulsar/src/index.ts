export * from './transport.js';
export * from './topology.js';
export * from './topology-admin.js';
export * from './consumer.js';
export * from './publisher.js';
export * from './create-transport.js';
export { WebSocketTransport, type WebSocketTransportOptions } from './websocket-transport.js';
export { NativeTransport, NativePulsarUnavailableError, type NativeTransportOptions } from './native-transport.js';
export { WebSocketUpgradeError, type ConnectionLogger } from './websocket-connection.js';
