import { CLAIMANT_STATUSES, TRANSITIONS, assertTransition } from './status';

describe('claimant status workflow', () => {
  it('allows the documented moves', () => {
    expect(() => assertTransition('submitted', 'under_review', 'staff')).not.toThrow();
    expect(() => assertTransition('under_review', 'approved', 'staff')).not.toThrow();
    expect(() => assertTransition('needs_info', 'under_review', 'staff')).not.toThrow();
    expect(() => assertTransition('approved', 'filed', 'filing')).not.toThrow();
  });

  it('refuses filed by hand and anything out of filed', () => {
    expect(() => assertTransition('approved', 'filed', 'staff')).toThrow(/through a filing/);
    for (const to of CLAIMANT_STATUSES) expect(() => assertTransition('filed', to, 'staff')).toThrow();
  });

  it('lets every state but filed withdraw', () => {
    for (const from of CLAIMANT_STATUSES) {
      if (from === 'filed' || from === 'withdrawn') continue;
      expect(TRANSITIONS[from]).toContain('withdrawn');
    }
  });
});
