import {
  APIM_APPLICATION_NAME_MAX_LENGTH,
  checkApplicationName,
} from './applicationNames';

describe('checkApplicationName (WSO2 API-M naming rules, CONTRACT.md 4.1/4.2)', () => {
  it.each([
    ['orders-service'],
    ['Orders-Service'],
    ['Case Inner Spaces EU'],
    ['a'],
    ['x'.repeat(APIM_APPLICATION_NAME_MAX_LENGTH)],
    // 100 UTF-16 code units, as Java counts them.
    ['é'.repeat(100)],
    ['with.dots_and-dashes 2'],
  ])('accepts %j', name => {
    expect(checkApplicationName(name)).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(APIM_APPLICATION_NAME_MAX_LENGTH + 1), 'too-long'],
    ['😀'.repeat(51), 'too-long'],
    [' orders-service', 'surrounding-whitespace'],
    ['orders-service ', 'surrounding-whitespace'],
    ['  ', 'surrounding-whitespace'],
    ['\torders', 'surrounding-whitespace'],
    ['orders\n', 'surrounding-whitespace'],
    ['orders\u00a0', 'surrounding-whitespace'],
    ['orders\nservice', 'control-characters'],
    ['orders\u0000service', 'control-characters'],
    ['orders\u0085service', 'control-characters'],
  ])('refuses %j (%s)', (name, rule) => {
    expect(checkApplicationName(name)).toMatchObject({ rule });
  });

  it('names the annotation, the value and the rule in one message', () => {
    const problem = checkApplicationName(' orders-service');
    expect(problem?.message).toBe(
      'The wso2.com/apim-application annotation " orders-service" is not an application name WSO2 API-M accepts: an application name must not start or end with a space (spaces inside the name are fine). Change the annotation in the entity\'s catalog-info.yaml.',
    );
    expect(checkApplicationName('y'.repeat(101))?.message).toContain(
      'at most 100 characters, this one has 101',
    );
  });

  it('keeps very long values out of the message', () => {
    const message = checkApplicationName('z'.repeat(5000))!.message;
    expect(message.length).toBeLessThan(400);
  });
});
