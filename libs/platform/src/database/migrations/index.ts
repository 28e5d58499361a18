import { Foundation1763769600000 } from './1763769600000-foundation';
import { Security1763769700000 } from './1763769700000-security';

/** Every migration, oldest first. Timestamped names; never edit one that has shipped. */
export const MIGRATIONS = [Foundation1763769600000, Security1763769700000];
