/** WSO2 REST error envelopes (contract section 3.1, 2.4) and the gateway fault bodies. */
import type { Response } from 'express';

export interface ErrorListItem {
  code: string;
  message: string;
  description?: string;
}

export interface ErrorBody {
  code: number;
  message: string;
  description: string;
  moreInfo: string;
  error: ErrorListItem[];
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ErrorBody) {
    super(body.description || body.message);
  }
}

export function errorBody(
  code: number,
  message: string,
  description: string,
  error: ErrorListItem[] = [],
): ErrorBody {
  return { code, message, description, moreInfo: '', error };
}

export const errors = {
  unauthenticated: () =>
    new ApiError(401, errorBody(401, '', 'Unauthenticated request')),
  appNotFound: (id: string) =>
    new ApiError(
      404,
      errorBody(
        404,
        'Not Found',
        `Requested application with Id '${id}' not found`,
      ),
    ),
  appForbidden: (id: string) =>
    new ApiError(
      403,
      errorBody(
        403,
        'Forbidden',
        `You don't have permission to access the application with Id ${id}`,
      ),
    ),
  notFound: (what: string, id: string) =>
    new ApiError(
      404,
      errorBody(
        404,
        'Not Found',
        `Requested ${what} with Id '${id}' not found`,
      ),
    ),
  forbidden: (description: string) =>
    new ApiError(403, errorBody(403, 'Forbidden', description)),
  validation: (fields: string[]) =>
    new ApiError(
      400,
      errorBody(
        400,
        'Bad Request',
        'Validation Error',
        fields.map(f => ({
          code: `400_${f}`,
          message: `${f}: must not be null`,
        })),
      ),
    ),
  badRequest: (description: string, code = 400, message = 'Bad Request') =>
    new ApiError(400, errorBody(code, message, description)),
  unrecognizedProperty: (name: string) =>
    new ApiError(
      400,
      errorBody(400, 'Bad Request', `Unrecognized property '${name}'`),
    ),
  malformedBody: () =>
    new ApiError(400, errorBody(400, 'Bad Request', 'Malformed request body.')),
  emptyBody: () =>
    new ApiError(
      400,
      errorBody(400, 'Bad Request', 'Request payload cannot be empty.'),
    ),
  keyManagerNotRegistered: () =>
    new ApiError(
      400,
      errorBody(
        901403,
        'Key Manager not Registered',
        'Key Manager not Registered',
      ),
    ),
  keyManagerNoAppSupport: () =>
    new ApiError(
      400,
      errorBody(
        901405,
        "Key Manager doesn't support generating OAuth applications",
        "Key Manager doesn't support generating OAuth applications",
      ),
    ),
  keyMappingExists: () =>
    new ApiError(
      409,
      errorBody(
        901409,
        'Key Mappings already exists',
        'Key Mappings already exists',
      ),
    ),
  generalError: () =>
    new ApiError(
      500,
      errorBody(900967, 'General Error', 'Server Error Occurred'),
    ),
  internal: () =>
    new ApiError(
      500,
      errorBody(
        500,
        'Internal server error',
        'The server encountered an internal error. Please contact administrator.',
      ),
    ),
  conflict: (message: string, description: string) =>
    new ApiError(409, errorBody(409, message, description)),
};

export function sendError(res: Response, err: ApiError): void {
  res.status(err.status).json(err.body);
}

/** Body of a WSO2 gateway (Synapse) fault. */
export function gatewayFault(
  code: number,
  message: string,
  description: string,
) {
  return { fault: { code, message, description } };
}
