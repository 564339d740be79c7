export { createTestDatabase, databaseEnv, repositoryRoot } from './database.js';
export type { CreateTestDatabaseOptions, DatabaseEnv, TestDatabase } from './database.js';
