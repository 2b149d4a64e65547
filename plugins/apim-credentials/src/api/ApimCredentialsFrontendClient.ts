import { ResponseError } from '@backstage/errors';
import {
  ApimCredentialsApi,
  ApimCredentialsClient,
  AuditQuery,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';

type AuditFilters = Omit<AuditQuery, 'limit' | 'cursor'>;

/**
 * What the frontend needs from the backend: the common package's typed client, plus the CSV
 * export fetched with the user's Backstage token (a plain link would carry no token).
 *
 * @public
 */
export interface ApimCredentialsFrontendApi extends ApimCredentialsApi {
  /** The audit export (`GET /audit/export`) for the given filters, as a CSV blob. */
  exportAuditCsv(query?: AuditFilters): Promise<Blob>;
}

/**
 * The browser's client: {@link @apim-credentials/backstage-plugin-apim-credentials-common#ApimCredentialsClient}
 * with the Backstage fetch API (which adds the user's token), and the CSV download.
 *
 * @public
 */
export class ApimCredentialsFrontendClient
  extends ApimCredentialsClient
  implements ApimCredentialsFrontendApi
{
  private readonly fetchApi: {
    fetch: (input: string, init?: RequestInit) => Promise<Response>;
  };

  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi: {
      fetch: (input: string, init?: RequestInit) => Promise<Response>;
    };
  }) {
    super({ ...options, source: 'ui' });
    this.fetchApi = options.fetchApi;
  }

  async exportAuditCsv(query?: AuditFilters): Promise<Blob> {
    const url = await this.getAuditExportUrl(query);
    const response = await this.fetchApi.fetch(url, {
      headers: { accept: 'text/csv' },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.blob();
  }
}
