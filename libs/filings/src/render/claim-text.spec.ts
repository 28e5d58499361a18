import { DEFAULT_CLAIM_TEXT_TEMPLATE, defaultClaimText, fillTemplate, templatePlaceholders } from './claim-text';

describe('claim text template', () => {
  it('has the breach facts and the placeholders the complaint fills', () => {
    expect(templatePlaceholders(DEFAULT_CLAIM_TEXT_TEMPLATE)).toEqual(
      expect.arrayContaining(['defendant', 'plaintiffCount', 'breachPeriod', 'affectedAccounts', 'disclosureDate']),
    );
    const text = defaultClaimText({ defendant: '쿠팡 주식회사', plaintiffCount: 10330 });
    expect(text).toContain('원고들 10,330명');
    expect(text).toContain('피고 쿠팡 주식회사는');
    expect(text).toContain('2025. 6. 24.부터 2025. 11. 8.까지');
    expect(text).toContain('약 3,370만');
    expect(text).toContain('서명키');
    expect(text).toContain('제39조');
    expect(text).toContain('제39조의2');
    expect(text).not.toMatch(/\{\{|\}\}/);
  });

  it('fills placeholders with spaces inside braces and names every missing value', () => {
    expect(fillTemplate('{{ a }}와 {{b}}', { a: 'x', b: 1234567 })).toBe('x와 1,234,567');
    expect(fillTemplate('{{a}}{{a}}', { a: '가' })).toBe('가가');
    expect(() => fillTemplate('{{a}} {{b}} {{c}}', { a: 1 })).toThrow('template values missing: b, c');
    expect(fillTemplate('no placeholders', {})).toBe('no placeholders');
  });
});
