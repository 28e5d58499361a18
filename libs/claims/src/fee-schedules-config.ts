import { Inject, Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { FEE_SCHEDULES, scheduleFor, validateFeeSchedule, type FeeSchedule } from './fee-schedule';

type Shape = 'number' | 'string' | { [key: string]: Shape } | [Shape];

/** What every field of a schedule must be, so a hand-written file cannot reach the arithmetic malformed. */
const SCHEDULE_SHAPE: Shape = {
  effectiveFrom: 'string',
  source: 'string',
  division: { smallMaxKrw: 'number', singleMaxKrw: 'number' },
  stampDuty: {
    brackets: [{ fromKrw: 'number', rateNumerator: 'number', rateDenominator: 'number', addKrw: 'number' }],
    minimumKrw: 'number',
    roundDownToKrw: 'number',
    eFilingNumerator: 'number',
    eFilingDenominator: 'number',
    eFilingMinimumKrw: 'number',
  },
  serviceFee: { unitPriceKrw: 'number', servicesPerParty: { small: 'number', single: 'number', panel: 'number' } },
};

function shapeProblems(value: unknown, shape: Shape, path: string): string[] {
  if (shape === 'number' || shape === 'string') {
    return typeof value === shape ? [] : [`${path || 'entry'} must be a ${shape}`];
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${path} must be an array`];
    return value.flatMap((v, i) => shapeProblems(v, shape[0], `${path}.${i}`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path || 'entry'} must be an object`];
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record)
    .filter((k) => !Object.hasOwn(shape, k))
    .map((k) => `${path ? `${path}.` : ''}${k} is not a schedule field`);
  return [
    ...unknown,
    ...Object.entries(shape).flatMap(([k, s]) => shapeProblems(record[k], s, path ? `${path}.${k}` : k)),
  ];
}

/**
 * The court-fee schedules in force: the built-in ones ({@link FEE_SCHEDULES}) and those of
 * COURT_FEE_SCHEDULES_FILE, a JSON array of schedules in the same form (a schedule with the same
 * `effectiveFrom` as a built-in one replaces it). When the service fee or the stamp brackets
 * change, the firm adds a schedule from its first day: no release needed (domain.md: what can
 * change is configuration, never a literal buried in code). A file that is unreadable, malformed
 * or fails {@link validateFeeSchedule} stops the process at start, naming every problem.
 */
export function loadFeeSchedules(file: string | undefined): readonly FeeSchedule[] {
  if (!file) return FEE_SCHEDULES;
  const fail = (why: string): never => {
    throw new Error(`COURT_FEE_SCHEDULES_FILE (${file}): ${why}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return fail(`not a readable JSON file (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Array.isArray(raw) || raw.length === 0) return fail('must hold a non-empty JSON array of schedules');
  const problems: string[] = [];
  const loaded: FeeSchedule[] = [];
  raw.forEach((entry: unknown, i) => {
    const shape = shapeProblems(entry, SCHEDULE_SHAPE, '');
    if (shape.length > 0) {
      problems.push(...shape.map((p) => `[${i}] ${p}`));
      return;
    }
    const schedule = entry as FeeSchedule;
    const errors = validateFeeSchedule(schedule);
    if (errors.length > 0) problems.push(...errors.map((e) => `[${i}] ${e.field}: ${e.message}`));
    else if (loaded.some((s) => s.effectiveFrom === schedule.effectiveFrom)) {
      problems.push(`[${i}] effectiveFrom: ${schedule.effectiveFrom} appears twice`);
    } else loaded.push(schedule);
  });
  if (problems.length > 0) fail(problems.join('; '));
  const kept = FEE_SCHEDULES.filter((b) => !loaded.some((s) => s.effectiveFrom === b.effectiveFrom));
  return Object.freeze([...kept, ...loaded].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom)));
}

/** The schedules of this process (see {@link loadFeeSchedules}); read once, at start. */
@Injectable()
export class CourtFeeSchedules {
  readonly all: readonly FeeSchedule[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.all = loadFeeSchedules(config.courtFeeSchedulesFile);
  }

  /** The schedule in force on a filing date (`YYYY-MM-DD`, Korean calendar day). */
  forDate(date: string): FeeSchedule {
    return scheduleFor(date, this.all);
  }
}
