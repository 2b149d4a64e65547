import {
  countCsvRows,
  draftOf,
  fieldOfBackendError,
  filtersFromUrl,
  filtersToUrl,
  validateDraft,
} from './auditFilters';

const empty = {
  entityRef: '',
  environment: '',
  actor: '',
  action: '',
  outcome: '',
  since: '',
  until: '',
};

describe('audit filters (issue 15 item 5)', () => {
  it('turns what people type into canonical refs, and refuses what the backend would', () => {
    expect(
      validateDraft({ ...empty, entityRef: 'Orders-Service', actor: 'jane' })
        .filters,
    ).toEqual({
      entityRef: 'component:default/orders-service',
      actor: 'user:default/jane',
    });
    const bad = validateDraft({
      ...empty,
      actor: 'jane doe',
      entityRef: 'x/y/z',
    });
    expect(bad.filters).toBeUndefined();
    expect(bad.errors.actor).toMatch(/"jane doe" is not an entity reference/);
    expect(bad.errors.entityRef).toMatch(
      /"x\/y\/z" is not an entity reference/,
    );
  });

  it('refuses Until before Since, and accepts the same minute', () => {
    const before = validateDraft({
      ...empty,
      since: '2026-11-27T10:00',
      until: '2026-11-27T09:59',
    });
    expect(before.filters).toBeUndefined();
    expect(before.errors).toEqual({ until: '"Until" is before "Since"' });
    expect(
      validateDraft({
        ...empty,
        since: '2026-11-27T10:00',
        until: '2026-11-27T10:00',
      }).filters,
    ).toBeDefined();
  });

  it('round-trips through the URL and drops what a hand-edited link gets wrong', () => {
    const filters = {
      entityRef: 'component:default/orders-service',
      outcome: 'failed' as const,
      since: '2026-11-27T10:00:00.000Z',
    };
    const params = filtersToUrl(filters, { tab: 'audit' });
    expect(params.get('tab')).toBe('audit');
    expect(filtersFromUrl(params)).toEqual(filters);
    expect(
      filtersFromUrl(
        new URLSearchParams('actor=not a ref&outcome=bogus&until=yesterday'),
      ),
    ).toEqual({});
    expect(draftOf(filters).entityRef).toBe('component:default/orders-service');
  });

  it('counts CSV rows, not lines (a quoted cell may hold a line break)', () => {
    expect(countCsvRows('id\r\n')).toBe(0);
    expect(countCsvRows('id,msg\r\n1,"a\r\nb"\r\n2,c\r\n')).toBe(2);
    expect(countCsvRows('id,msg\n1,x')).toBe(1);
  });

  it('puts a refused filter under the field the backend names, never reading the message', () => {
    const refused = (fields: unknown, message = 'Invalid query: whatever') => ({
      message,
      body: {
        error: { name: 'InputError', message, code: 'INVALID_INPUT', fields },
      },
    });
    expect(fieldOfBackendError(refused(['actor']))).toBe('actor');
    expect(fieldOfBackendError(refused(['limit', 'since']))).toBe('since');
    // A message that mentions a field but names none: a page error, not a guess.
    expect(
      fieldOfBackendError(refused(undefined, 'Invalid query: actor is bad')),
    ).toBeUndefined();
    expect(fieldOfBackendError(refused(['cursor']))).toBeUndefined();
    expect(fieldOfBackendError(new Error('actor'))).toBeUndefined();
    expect(
      fieldOfBackendError({
        body: { error: { message: 'No entity x', code: 'ENTITY_NOT_FOUND' } },
      }),
    ).toBe('entityRef');
  });
});
