/**
 * The audit rows of provisioning attempts: written `pending` before API-M is called and
 * completed after, so that an attempt that never finishes is still visible (and resolved by the
 * reconcile job).
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { EnvironmentConfig } from '../config';
import type {
  ApimCredentialsStore,
  AuditCompletion,
  AuditStart,
} from '../database/ApimCredentialsStore';
import { isBindingDenial } from './bindingErrors';
import type { Caller } from './provisioningTypes';
import { translateError } from './translateError';

/** What an audit row says about the cell an attempt is about. */
export interface AuditSubject {
  entityRef?: string;
  applicationName?: string;
  keyManager?: string;
  consumerKey?: string;
}

export class AuditTrail {
  constructor(
    private readonly deps: {
      store: Pick<ApimCredentialsStore, 'startAudit' | 'completeAudit'>;
      logger: LoggerService;
    },
  ) {}

  /** The fields of a new row: the caller, the environment's instance and key type, the cell. */
  fields(
    action: AuditStart['action'],
    env: EnvironmentConfig,
    subject: AuditSubject,
    caller: Caller,
  ): AuditStart {
    return {
      action,
      actor: caller.userEntityRef,
      source: caller.source,
      via: caller.via,
      taskId: caller.taskId,
      requestId: caller.requestId,
      entityRef: subject.entityRef,
      environment: env.id,
      instance: env.instance,
      keyType: env.keyType,
      keyManager: subject.keyManager,
      applicationName: subject.applicationName,
      consumerKey: subject.consumerKey,
    };
  }

  /** Writes a `pending` row and returns its id. */
  start(
    action: AuditStart['action'],
    env: EnvironmentConfig,
    subject: AuditSubject,
    caller: Caller,
    extra: Partial<AuditStart> = {},
  ): Promise<string> {
    return this.deps.store.startAudit({
      ...this.fields(action, env, subject, caller),
      ...extra,
    });
  }

  complete(auditId: string, completion: AuditCompletion): Promise<void> {
    return this.deps.store.completeAudit(auditId, completion);
  }

  /**
   * Completes the row as failed (`denied` for a binding denial) and returns the error the
   * caller gets: translated for the instance, with the stable code the row records. A row that
   * cannot be completed is logged, not thrown: the reconcile job resolves rows left pending.
   */
  async fail(
    auditId: string,
    env: EnvironmentConfig,
    error: unknown,
  ): Promise<Error> {
    const { error: translated, code } = isBindingDenial(error)
      ? { error, code: error.code }
      : translateError(error, env.instance);
    try {
      await this.deps.store.completeAudit(auditId, {
        outcome: isBindingDenial(error) ? 'denied' : 'failed',
        errorCode: code,
        errorMessage: translated.message,
      });
    } catch (storeError) {
      this.deps.logger.error(
        `Could not complete audit row ${auditId}: ${storeError}`,
      );
    }
    return translated;
  }
}
