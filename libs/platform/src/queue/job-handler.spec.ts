import { assertHandlerCoverage } from './job-handler';
import { JobName } from './job-contract';

describe('assertHandlerCoverage', () => {
  const all = Object.values(JobName);

  it('accepts exactly one handler per job', () => {
    expect(() => assertHandlerCoverage(all)).not.toThrow();
  });

  it('refuses a missing handler', () => {
    expect(() => assertHandlerCoverage(all.slice(1))).toThrow(/has no handler/);
  });

  it('refuses two handlers for one job', () => {
    expect(() => assertHandlerCoverage([...all, all[0]])).toThrow(/has 2 handlers/);
  });
});
