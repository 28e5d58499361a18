import { Foundation1763769600000 } from './1763769600000-foundation';
import { Security1763769700000 } from './1763769700000-security';
import { Intake1763769800000 } from './1763769800000-intake';

/** Every migration, oldest first. Timestamped names; never edit one that has shipped. */
export const MIGRATIONS = [Foundation1763769600000, Security1763769700000, Intake1763769800000];
