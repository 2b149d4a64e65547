import { validateProvideKeys } from './validation';

describe('validateProvideKeys', () => {
  it('accepts a plain key and secret', () => {
    expect(
      validateProvideKeys({
        keyManager: 'IS',
        consumerKey: 'abc',
        consumerSecret: 'x y',
      }),
    ).toEqual({});
  });

  it('names every bad field in words', () => {
    expect(
      validateProvideKeys({
        keyManager: '',
        consumerKey: 'a\nb',
        consumerSecret: 'x'.repeat(1025),
      }),
    ).toEqual({
      keyManager: 'Choose a key manager',
      consumerKey: 'Consumer key must not contain control characters',
      consumerSecret: 'Consumer secret must be at most 1024 characters',
    });
  });
});
