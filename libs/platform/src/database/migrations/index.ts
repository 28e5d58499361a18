import { Foundation1763769600000 } from './1763769600000-foundation';

/** Every migration, oldest first. Timestamped names; never edit one that has shipped. */
export const MIGRATIONS = [Foundation1763769600000];
