export { createTestDatabase, databaseEnv, repositoryRoot } from './database.js';
export type { CreateTestDatabaseOptions, DatabaseEnv, TestDatabase } from './database.js';
export { freePort, startService } from './services.js';
export type { RunningService, ServiceName } from './services.js';
export { createTestTopics, PULSAR_ADMIN_URL, PULSAR_WS_URL } from './topics.js';
