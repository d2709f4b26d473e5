export { createPool, withTransaction, ensureDatabase, isUniqueViolation, type Pool, type PoolClient, type Queryable } from './pool';
export { runMigrations } from './migrations';
