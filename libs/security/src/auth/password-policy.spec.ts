import { checkPassword } from './password-policy';

describe('checkPassword', () => {
  it.each([
    ['short', 'at least 12'],
    ['password1234', 'too common'],
    ['Password1234!', 'too common'],
    ['qwertyuiop12', 'too common'],
    ['aaaaaaaaaaaaaaa', 'too simple'],
  ])('refuses %s', (pw, why) => {
    expect(checkPassword(pw)[0]?.message).toContain(why);
  });

  it('refuses a password holding the email name', () => {
    expect(checkPassword('gildong-was-here-2025', { email: 'gildong@firm.kr' })[0]?.message).toContain('email');
  });

  it('accepts a long passphrase without composition rules', () => {
    expect(checkPassword('correct horse battery staple')).toEqual([]);
    expect(checkPassword('조용한 아침의 나라 서울')).toEqual([]);
  });
});
