import { resolveClaimRules, validateClaimRules } from './claim-rules';

describe('validateClaimRules', () => {
  it('makes the statutory defaults explicit', () => {
    expect(validateClaimRules({ version: 1, baseAmountKrw: 300_000 })).toEqual({
      ok: true,
      rules: { version: 1, mode: 'statutory', baseAmountKrw: 300_000, secondaryHarmMultiplier: 1, capKrw: 3_000_000 },
    });
  });

  it('leaves actual mode uncapped unless a cap is given', () => {
    expect(validateClaimRules({ version: 2, mode: 'actual', baseAmountKrw: 0, secondaryHarmMultiplier: 5 })).toEqual({
      ok: true,
      rules: { version: 2, mode: 'actual', baseAmountKrw: 0, secondaryHarmMultiplier: 5 },
    });
    const capped = validateClaimRules({ version: 2, mode: 'actual', baseAmountKrw: 0, capKrw: 10_000_000 });
    expect(capped.ok && capped.rules.capKrw).toBe(10_000_000);
  });

  it('keeps additions and an explicit cap', () => {
    const input = {
      version: 7,
      mode: 'statutory',
      baseAmountKrw: 300_000,
      additionsByCategoryKrw: { entranceCode: 200_000, orderHistory: 0 },
      secondaryHarmMultiplier: 3,
      capKrw: 2_000_000,
    };
    expect(validateClaimRules(input)).toEqual({ ok: true, rules: input });
  });

  it.each<[string, unknown, { field: string; message: string }[]]>([
    ['not an object', [], [{ field: 'rules', message: 'claim rules must be an object' }]],
    ['version 0', { version: 0, baseAmountKrw: 1 }, [{ field: 'version', message: 'must be a positive integer' }]],
    ['version missing', { baseAmountKrw: 1 }, [{ field: 'version', message: 'must be a positive integer' }]],
    [
      'unknown mode',
      { version: 1, mode: 'punitive', baseAmountKrw: 1 },
      [{ field: 'mode', message: 'must be one of statutory, actual' }],
    ],
    [
      'negative base',
      { version: 1, baseAmountKrw: -1 },
      [{ field: 'baseAmountKrw', message: 'must be a non-negative safe integer (won)' }],
    ],
    [
      'fractional base',
      { version: 1, baseAmountKrw: 100.5 },
      [{ field: 'baseAmountKrw', message: 'must be a non-negative safe integer (won)' }],
    ],
    [
      'unknown category and a bad addition',
      { version: 1, baseAmountKrw: 1, additionsByCategoryKrw: { password: 1, phone: -5 } },
      [
        {
          field: 'additionsByCategoryKrw.password',
          message: 'unknown data category; expected one of name, phone, email, address, orderHistory, entranceCode',
        },
        { field: 'additionsByCategoryKrw.phone', message: 'must be a non-negative safe integer (won)' },
      ],
    ],
    [
      'additions not an object',
      { version: 1, baseAmountKrw: 1, additionsByCategoryKrw: [1] },
      [{ field: 'additionsByCategoryKrw', message: 'must be an object of category -> won' }],
    ],
    [
      'base plus additions past 2^53',
      {
        version: 1,
        mode: 'actual',
        baseAmountKrw: Number.MAX_SAFE_INTEGER,
        additionsByCategoryKrw: { email: 1 },
      },
      [{ field: 'additionsByCategoryKrw', message: 'base plus all additions exceeds 9007199254740991 won' }],
    ],
    ...[0, 6, 2.5, '3'].map((m): [string, unknown, { field: string; message: string }[]] => [
      `multiplier ${String(m)}`,
      { version: 1, baseAmountKrw: 1, secondaryHarmMultiplier: m },
      [{ field: 'secondaryHarmMultiplier', message: 'must be an integer from 1 to 5 (PIPA art. 39)' }],
    ]),
    [
      'cap below base',
      { version: 1, baseAmountKrw: 300_000, capKrw: 299_999 },
      [{ field: 'capKrw', message: 'must be at least baseAmountKrw' }],
    ],
    [
      'base above the default statutory cap',
      { version: 1, baseAmountKrw: 3_000_001 },
      [{ field: 'baseAmountKrw', message: 'exceeds the default statutory cap of 3000000 won; set capKrw' }],
    ],
    [
      'negative cap',
      { version: 1, baseAmountKrw: 0, capKrw: -1 },
      [{ field: 'capKrw', message: 'must be a non-negative safe integer (won)' }],
    ],
    [
      'unknown field',
      { version: 1, baseAmountKrw: 1, interestRate: 5 },
      [{ field: 'interestRate', message: 'unknown field "interestRate" is not accepted' }],
    ],
  ])('rejects %s', (_label, input, errors) => {
    expect(validateClaimRules(input)).toEqual({ ok: false, errors });
  });

  it('accepts a base above 3,000,000 in statutory mode when the cap is raised explicitly', () => {
    expect(validateClaimRules({ version: 1, baseAmountKrw: 3_000_001, capKrw: 5_000_000 }).ok).toBe(true);
  });
});

describe('resolveClaimRules', () => {
  it('orders additions by DATA_CATEGORIES and fills defaults', () => {
    expect(
      resolveClaimRules({
        version: 4,
        baseAmountKrw: 100_000,
        additionsByCategoryKrw: { entranceCode: 50_000, phone: 10_000, orderHistory: 0 },
      }),
    ).toEqual({
      version: 4,
      mode: 'statutory',
      baseAmountKrw: 100_000,
      additions: [
        { category: 'phone', amountKrw: 10_000 },
        { category: 'orderHistory', amountKrw: 0 },
        { category: 'entranceCode', amountKrw: 50_000 },
      ],
      secondaryHarmMultiplier: 1,
      capKrw: 3_000_000,
    });
  });

  it('throws a RangeError listing every problem', () => {
    expect(() => resolveClaimRules({ version: 0, baseAmountKrw: -1 })).toThrow(
      'invalid claim rules (version 0): version: must be a positive integer; baseAmountKrw: must be a non-negative safe integer (won)',
    );
  });
});
