/**
 * The shapes shared by the provisioning modules (ProvisioningService and the planner, removal,
 * application resolution and credential check it delegates to).
 */
import type {
  AuditSource,
  ProvisionResult,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
import type { ApimApplication } from '../apim/types';
import { applicationNameKey } from '../database/ApplicationBindingStore';

/** Who is asking, and through which path; recorded on every audit row. */
export interface Caller {
  userEntityRef: string;
  source: AuditSource;
  via?: string;
  taskId?: string;
  requestId?: string;
}

export interface Cell {
  entityRef: string;
  /** From the entity's wso2.com/apim-application annotation. */
  applicationName: string;
  environment: string;
  keyManager: string;
}

export interface ProvisionInput extends Cell {
  consumerKey: string;
  consumerSecret: string;
  verify?: boolean;
  /** Per call override of applications.createIfMissing; can only restrict it. */
  createApplication?: boolean;
  dryRun?: boolean;
  /**
   * Set by the cell gate, never from a request: the id of the application the gate found bound
   * to the entity moments before (cellGate.ts step 6). When API-M still holds that id under the
   * name, the binding is not read again under the provisioning lock: the lock does not
   * serialise binding changes, so a second read would narrow no race, only lengthen every
   * provisioning by a database round trip (issue 9, "Performance").
   */
  boundApplicationId?: string;
}

/** A ProvisionResult whose status was predicted, not performed (dry run). */
export type ProvisionOutcome = ProvisionResult & { dryRun?: boolean };

/**
 * What one provisioning attempt did so far: whether the credentials were proven, and the
 * application it created (deleted again when the attempt fails).
 */
export interface Attempt {
  verified?: boolean;
  createdApp?: ApimApplication;
}

/**
 * The lock of a provisioning or removal: one application slot (instance, application name as
 * WSO2 compares it, key type, key manager), whichever entity names the application.
 */
export function cellKey(
  cell: { applicationName: string; keyManager: string },
  env: { instance: string; keyType: string },
): string {
  return `${env.instance}|${applicationNameKey(cell.applicationName)}|${
    env.keyType
  }|${cell.keyManager}`;
}
