export * from './transport.js';
export * from './topology.js';
export * from './topology-admin.js';
export * from './websocket-transport.js';
export { WebSocketUpgradeError, type ConnectionLogger } from './websocket-connection.js';
