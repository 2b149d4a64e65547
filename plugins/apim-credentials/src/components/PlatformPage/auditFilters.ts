import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  AuditQuery,
  entityRefSchema,
  getApimCredentialsErrorCode,
  getApimCredentialsErrorFields,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { localInputToIso } from '../common/format';
import { compact, normaliseEntityRef } from './filters';

/** The audit filters as the API takes them (and as the URL keeps them). */
export type AuditFilters = Omit<AuditQuery, 'limit' | 'cursor'>;

/** What the filter fields hold while someone types: text, datetime-local values. */
export interface AuditDraft {
  entityRef: string;
  environment: string;
  actor: string;
  action: string;
  outcome: string;
  since: string;
  until: string;
}

export type AuditDraftErrors = Partial<Record<keyof AuditDraft, string>>;

/** The filters, in the order of the form: each is a field of the draft and a URL parameter. */
const FILTER_FIELDS = [
  'entityRef',
  'environment',
  'actor',
  'action',
  'outcome',
  'since',
  'until',
] as const;
const URL_KEYS: ReadonlyArray<keyof AuditFilters> = FILTER_FIELDS;

/**
 * The applied filters from the page's URL (issue 15 item 5: shared links and Back show the same
 * rows). Values that the API would refuse are dropped rather than sent: a hand-edited link must
 * not turn the page into an error.
 */
export function filtersFromUrl(params: URLSearchParams): AuditFilters {
  const raw = Object.fromEntries(
    URL_KEYS.map(key => [key, params.get(key) ?? undefined]),
  ) as Record<keyof AuditFilters, string | undefined>;
  const ref = (value?: string) =>
    value && entityRefSchema.safeParse(value).success ? value : undefined;
  const time = (value?: string) =>
    value && !Number.isNaN(Date.parse(value)) ? value : undefined;
  return compact({
    entityRef: ref(raw.entityRef),
    environment: raw.environment,
    actor: ref(raw.actor),
    action: (AUDIT_ACTIONS as readonly string[]).includes(raw.action ?? '')
      ? (raw.action as AuditFilters['action'])
      : undefined,
    outcome: (AUDIT_OUTCOMES as readonly string[]).includes(raw.outcome ?? '')
      ? (raw.outcome as AuditFilters['outcome'])
      : undefined,
    since: time(raw.since),
    until: time(raw.until),
  });
}

/** The URL search parameters of the applied filters, keeping `keep` (e.g. the tab). */
export function filtersToUrl(
  filters: AuditFilters,
  keep: Record<string, string>,
): URLSearchParams {
  const params = new URLSearchParams(keep);
  for (const key of URL_KEYS) {
    const value = filters[key];
    if (value) params.set(key, String(value));
  }
  return params;
}

/** An ISO time as the value of an `<input type="datetime-local">`, in the reader's zone. */
export function isoToLocalInput(value: string | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(
    date.getDate(),
  )}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The fields' values for applied filters. */
export function draftOf(filters: AuditFilters): AuditDraft {
  return {
    entityRef: filters.entityRef ?? '',
    environment: filters.environment ?? '',
    actor: filters.actor ?? '',
    action: filters.action ?? '',
    outcome: filters.outcome ?? '',
    since: isoToLocalInput(filters.since),
    until: isoToLocalInput(filters.until),
  };
}

function refError(
  text: string,
  defaultKind: string,
  example: string,
): { ref?: string; error?: string } {
  const ref = normaliseEntityRef(text, defaultKind);
  if (!ref) return {};
  return entityRefSchema.safeParse(ref).success
    ? { ref }
    : {
        error: `"${text.trim()}" is not an entity reference; pick one or type e.g. ${example}`,
      };
}

/**
 * The filters the fields ask for, or what is wrong with them, field by field (issue 15 item 5):
 * the same entity-ref rule as the backend (entityRefSchema), and "Until" not before "Since".
 * A draft with errors is not applied, so the results on screen stay those of the last valid
 * filters.
 */
export function validateDraft(draft: AuditDraft): {
  filters?: AuditFilters;
  errors: AuditDraftErrors;
} {
  const errors: AuditDraftErrors = {};
  const entity = refError(
    draft.entityRef,
    'component',
    'component:default/orders-service',
  );
  if (entity.error) errors.entityRef = entity.error;
  const actor = refError(draft.actor, 'user', 'user:default/jane');
  if (actor.error) errors.actor = actor.error;
  const since = localInputToIso(draft.since);
  const until = localInputToIso(draft.until);
  if (draft.since && !since) errors.since = 'Not a date and time';
  if (draft.until && !until) errors.until = 'Not a date and time';
  if (since && until && Date.parse(until) < Date.parse(since)) {
    errors.until = '"Until" is before "Since"';
  }
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    filters: compact({
      entityRef: entity.ref,
      environment: draft.environment,
      actor: actor.ref,
      action: draft.action as AuditFilters['action'],
      outcome: draft.outcome as AuditFilters['outcome'],
      since,
      until,
    }),
  };
}

const DRAFT_FIELDS: ReadonlyArray<keyof AuditDraft> = FILTER_FIELDS;

/**
 * Which filter field a refused request is about, so the error shows under that field and not as
 * a page error: the fields the backend names in its 400 (`error.fields`,
 * getApimCredentialsErrorFields), or the Entity for `ENTITY_NOT_FOUND` (the entity filter names
 * an entity the catalog does not show the caller); undefined otherwise. Never reads the message.
 */
export function fieldOfBackendError(
  error: unknown,
): keyof AuditDraft | undefined {
  if (getApimCredentialsErrorCode(error) === 'ENTITY_NOT_FOUND')
    return 'entityRef';
  const named = getApimCredentialsErrorFields(error);
  return DRAFT_FIELDS.find(field => named.includes(field));
}

/** Rows in a CSV text (RFC 4180: line breaks inside quoted cells do not end a row), header excluded. */
export function countCsvRows(text: string): number {
  let rows = 0;
  let quoted = false;
  let rowHasContent = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === '\n' || c === '\r')) {
      if (rowHasContent) rows++;
      rowHasContent = false;
      continue;
    }
    rowHasContent = true;
  }
  if (rowHasContent) rows++;
  return Math.max(0, rows - 1);
}
