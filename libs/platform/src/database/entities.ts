import type { EntitySchema, MixedList } from 'typeorm';

/**
 * Every TypeORM entity class, registered once here so the app and the CLI share one data source.
 * Libraries add their entities to this list.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const ENTITIES: MixedList<Function | string | EntitySchema> = [];
