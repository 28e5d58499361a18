import { computeCourtFees, validateCourtFeeInput } from './court-fees';

describe('computeCourtFees', () => {
  it('14 plaintiffs x 200,000 won, e-filed (domain.md worked example)', () => {
    expect(computeCourtFees({ claimValueKrw: 2_800_000, plaintiffs: 14, defendants: 1, eFiling: true })).toEqual({
      claimValueKrw: 2_800_000,
      division: 'small',
      stampDutyKrw: 12_600,
      serviceFeeKrw: 780_000,
    });
  });

  it('1,998 plaintiffs x 300,000 won on paper, counsel-and-defendants', () => {
    expect(
      computeCourtFees({
        claimValueKrw: 599_400_000,
        plaintiffs: 1_998,
        defendants: 1,
        eFiling: false,
        serviceCount: 'counsel-and-defendants',
      }),
    ).toEqual({ claimValueKrw: 599_400_000, division: 'panel', stampDutyKrw: 2_452_600, serviceFeeKrw: 156_000 });
  });

  it('50,000,000 won, 100 plaintiffs, e-filed', () => {
    // single: 101 x 15 x 5,200 = 7,878,000
    expect(computeCourtFees({ claimValueKrw: 50_000_000, plaintiffs: 100, defendants: 1, eFiling: true })).toEqual({
      claimValueKrw: 50_000_000,
      division: 'single',
      stampDutyKrw: 207_000,
      serviceFeeKrw: 7_878_000,
    });
  });

  it('33.7 million plaintiffs x 100,000 won, e-filed', () => {
    // 3,370,000,000,000 x 35/10,000 + 555,000 = 11,795,555,000 on paper; x 9/10 = 10,615,999,500 e-filed
    expect(
      computeCourtFees({ claimValueKrw: 3_370_000_000_000, plaintiffs: 33_700_000, defendants: 1, eFiling: true }),
    ).toEqual({
      claimValueKrw: 3_370_000_000_000,
      division: 'panel',
      stampDutyKrw: 10_615_999_500,
      serviceFeeKrw: 2_628_600_078_000,
    });
  });

  it('throws a RangeError for invalid input (a programming error once validated at the edge)', () => {
    expect(() => computeCourtFees({ claimValueKrw: 1, plaintiffs: 0, defendants: 1, eFiling: false })).toThrow(
      /invalid court-fee input: plaintiffs: must be a safe integer of at least 1/,
    );
  });
});

describe('validateCourtFeeInput', () => {
  it('accepts valid input and fills the default counting mode', () => {
    expect(validateCourtFeeInput({ claimValueKrw: 0, plaintiffs: 1, defendants: 1, eFiling: false })).toEqual({
      ok: true,
      input: { claimValueKrw: 0, plaintiffs: 1, defendants: 1, eFiling: false, serviceCount: 'all-parties' },
    });
  });

  it('returns every field error instead of throwing', () => {
    expect(
      validateCourtFeeInput({
        claimValueKrw: -1,
        plaintiffs: 0,
        defendants: 1.5,
        eFiling: 'yes',
        serviceCount: 'everyone',
        extra: 1,
      }),
    ).toEqual({
      ok: false,
      errors: [
        { field: 'extra', message: 'unknown field "extra" is not accepted' },
        { field: 'claimValueKrw', message: 'must be a non-negative safe integer (won)' },
        { field: 'plaintiffs', message: 'must be a safe integer of at least 1' },
        { field: 'defendants', message: 'must be a safe integer of at least 1' },
        { field: 'eFiling', message: 'must be true or false' },
        { field: 'serviceCount', message: 'must be one of all-parties, counsel-and-defendants' },
      ],
    });
  });

  it.each([
    [{ claimValueKrw: Number.MAX_SAFE_INTEGER + 1, plaintiffs: 1, defendants: 1, eFiling: true }, 'claimValueKrw'],
    [{ claimValueKrw: '1000', plaintiffs: 1, defendants: 1, eFiling: true }, 'claimValueKrw'],
    [{ claimValueKrw: 1_000, plaintiffs: 1, defendants: 0, eFiling: true }, 'defendants'],
    [{ claimValueKrw: 1_000, plaintiffs: 1, defendants: 1 }, 'eFiling'],
  ])('rejects %o on %s', (input, field) => {
    const result = validateCourtFeeInput(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual([field]);
  });

  it('rejects a non-object', () => {
    expect(validateCourtFeeInput(null)).toEqual({
      ok: false,
      errors: [{ field: 'input', message: 'must be an object' }],
    });
  });

  it('reports a party count whose deposit would overflow as a field error', () => {
    const input = { claimValueKrw: 10 ** 15, plaintiffs: 200_000_000_000, defendants: 1, eFiling: true };
    expect(validateCourtFeeInput(input)).toEqual({
      ok: false,
      errors: [
        { field: 'plaintiffs', message: 'too many parties: the service fee deposit would exceed 9007199254740991 won' },
      ],
    });
    // counting only counsel + defendants, the same filing fits
    expect(validateCourtFeeInput({ ...input, serviceCount: 'counsel-and-defendants' }).ok).toBe(true);
  });
});
