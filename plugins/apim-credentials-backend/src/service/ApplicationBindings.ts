/**
 * The binding rules (issue 10, item 1; PRODUCT.md 2 "Binding"): an entity may act on the API-M
 * application its annotation names only when the backend recorded that application as bound to
 * that entity. Backstage binds what it creates; an application that already existed is bound
 * only by an explicit, audited act of someone holding `apim.applications.bind`.
 *
 * Names are compared as WSO2 compares them (case-insensitively, CONTRACT.md 14.1); ids decide
 * when API-M holds an application under that name that is not the one bound (it was deleted and
 * created again outside Backstage).
 */
import { randomUUID } from 'node:crypto';
import { InputError, NotFoundError } from '@backstage/errors';
import type { ApplicationBinding } from '@apim-credentials/backstage-plugin-apim-credentials-common';
import { ApimClient } from '../apim/ApimClient';
import type { ApimInstances } from '../apim/ApimInstances';
import type { ApimApplication } from '../apim/types';
import type { AuditStart, AuditStore } from '../database/AuditStore';
import { ApplicationBindingStore } from '../database/ApplicationBindingStore';
import { ApimDirectory } from './ApimDirectory';
import {
  CandidateScan,
  NamedApplication,
  scanCandidates,
} from './bindingCandidates';
import {
  ApplicationBoundElsewhereError,
  ApplicationNotBoundError,
  recordBindingDenial,
} from './bindingErrors';

/** Application id of a name reserved while Backstage creates the application. */
const PENDING = 'pending:';

/** What a successful check found: the application, when API-M already has it. */
export interface BindingCheck {
  /** The bound application in API-M; undefined when it does not exist yet (may be created). */
  app?: ApimApplication;
}

/**
 * The bindings rows `check` judges, read ahead for the application the directory's cache holds
 * under a name (ApplicationBindings.readAhead).
 */
export interface BindingsReadAhead {
  /** The id of the cached application the rows were read for. */
  applicationId: string;
  found: { byId?: ApplicationBinding; byName?: ApplicationBinding };
}

export class ApplicationBindings {
  constructor(
    private readonly deps: {
      bindings: ApplicationBindingStore;
      audit: Pick<AuditStore, 'recordAudit'>;
      instances: ApimInstances;
      directory: ApimDirectory;
    },
  ) {}

  get store(): ApplicationBindingStore {
    return this.deps.bindings;
  }

  private client(instance: string): ApimClient {
    if (!this.deps.instances.has(instance))
      throw new NotFoundError(`Unknown API-M instance "${instance}"`);
    return this.deps.instances.client(instance);
  }

  /**
   * Checks that `applicationName` in the environment's instance is bound to `entityRef`, or does
   * not exist yet (then provisioning may create and bind it).
   *
   * @throws ApplicationBoundElsewhereError (403) when the name or the id API-M holds under it is
   *   bound to another entity; ApplicationNotBoundError (403) when API-M holds an application of
   *   that name that is bound to no entity (or not under this id); API-M errors from the lookup.
   */
  async check(
    env: { instance: string },
    entityRef: string,
    applicationName: string,
    ahead?: BindingsReadAhead,
  ): Promise<BindingCheck> {
    let app: ApimApplication | undefined;
    try {
      app = await this.deps.directory.findApplication(
        this.client(env.instance),
        applicationName,
      );
    } catch (error) {
      // A name bound to another entity is refused as such, even while API-M cannot answer.
      await this.guard(env.instance, entityRef, applicationName, undefined);
      throw error;
    }
    await this.guard(env.instance, entityRef, applicationName, app, ahead);
    return { app };
  }

  /**
   * Reads the bindings `check` will judge when the application's id is in the directory's
   * cache: one database read and never an API-M call, so it may start before the caller is
   * known to be allowed (cellGate.ts starts it beside the rate-limit count: one sequential round
   * trip fewer on every provisioning, issue 9 "Performance"). Undefined when the id is not
   * cached or the instance unknown; `check` then reads the rows itself. The rows are as old as
   * the permission decision made meanwhile (milliseconds): the same race as between the check
   * and the cell lock, over bindings that change only by a platform team's explicit act.
   *
   * @throws the database's errors (the gate ignores them: `check` reads again and reports)
   */
  async readAhead(
    env: { instance: string },
    applicationName: string,
  ): Promise<BindingsReadAhead | undefined> {
    if (!this.deps.instances.has(env.instance)) return undefined;
    const app = await this.deps.directory.cachedApplication(
      this.client(env.instance),
      applicationName,
    );
    if (!app) return undefined;
    const found = await this.deps.bindings.getByIdAndName(
      env.instance,
      app.applicationId,
      applicationName,
    );
    return { applicationId: app.applicationId, found };
  }

  /**
   * The same rules for an application the caller already looked up (`app` undefined: API-M has
   * none of that name), so the entity tab checks without an extra API-M round trip. One read of
   * the bindings table (by name and by the application's id) serves both rules; `ahead` stands
   * in for that read when it was made for `app` (readAhead).
   *
   * @throws ApplicationBoundElsewhereError or ApplicationNotBoundError (403)
   */
  async guard(
    instance: string,
    entityRef: string,
    applicationName: string,
    app: ApimApplication | undefined,
    ahead?: BindingsReadAhead,
  ): Promise<void> {
    // Rows read ahead serve only for the application they were read for.
    const found =
      ahead && app && ahead.applicationId === app.applicationId
        ? ahead.found
        : await this.deps.bindings.getByIdAndName(
            instance,
            app?.applicationId,
            applicationName,
          );
    if (found.byName && found.byName.entityRef !== entityRef) {
      throw new ApplicationBoundElsewhereError(
        applicationName,
        found.byName.entityRef,
        instance,
      );
    }
    if (app) await this.judge(instance, app, entityRef, found);
  }

  /**
   * Checks, by id, that an application found in API-M is the one bound to `entityRef`; used
   * again under the provisioning lock, where the application may have appeared meanwhile.
   *
   * @throws ApplicationBoundElsewhereError or ApplicationNotBoundError (403)
   */
  async assertBound(
    instance: string,
    app: ApimApplication,
    entityRef: string,
  ): Promise<ApplicationBinding> {
    const found = await this.deps.bindings.getByIdAndName(
      instance,
      app.applicationId,
      app.name,
    );
    return this.judge(instance, app, entityRef, found);
  }

  /** The by-id rule of assertBound on bindings already read. */
  private async judge(
    instance: string,
    app: ApimApplication,
    entityRef: string,
    {
      byId,
      byName,
    }: { byId?: ApplicationBinding; byName?: ApplicationBinding },
  ): Promise<ApplicationBinding> {
    if (byId && byId.entityRef !== entityRef) {
      throw new ApplicationBoundElsewhereError(
        app.name,
        byId.entityRef,
        instance,
      );
    }
    if (!byId) {
      // Reserved by this entity's own creation, and API-M shows only the service account's
      // applications (CONTRACT.md 4.2): it is the application that attempt created.
      if (
        byName?.entityRef === entityRef &&
        byName.applicationId.startsWith(PENDING)
      ) {
        return this.recordCreated(instance, app, entityRef, byName.boundBy);
      }
      throw new ApplicationNotBoundError(app.name, instance, entityRef);
    }
    return byId;
  }

  /**
   * The id of the application recorded as bound to `entityRef` under `applicationName` in the
   * instance; undefined when the name is bound to no entity, to another one, or only reserved.
   * A hint for reading ahead (CredentialsReader), never a permission: `guard` still decides.
   */
  async boundApplicationId(
    instance: string,
    entityRef: string,
    applicationName: string,
  ): Promise<string | undefined> {
    const binding = await this.deps.bindings.getByName(
      instance,
      applicationName,
    );
    if (!binding || binding.entityRef !== entityRef) return undefined;
    return binding.applicationId.startsWith(PENDING)
      ? undefined
      : binding.applicationId;
  }

  /**
   * Reserves the name for the entity before Backstage creates the application, so that no
   * other replica or cell sees the new application unbound. Returns the reservation's id.
   *
   * @throws BindingConflictError when the name is bound to another entity
   */
  async reserve(
    instance: string,
    applicationName: string,
    entityRef: string,
    actor: string,
  ): Promise<string> {
    const binding = await this.deps.bindings.bind({
      instance,
      applicationId: `${PENDING}${randomUUID()}`,
      applicationName,
      entityRef,
      origin: 'created',
      boundBy: actor,
    });
    return binding.applicationId;
  }

  /** Drops a reservation whose creation failed (a no-op once the real id replaced it). */
  async release(instance: string, reservationId: string): Promise<void> {
    await this.deps.bindings.unbind(instance, reservationId);
  }

  /** Binds an application Backstage has just created for the entity (origin `created`). */
  recordCreated(
    instance: string,
    app: ApimApplication,
    entityRef: string,
    actor: string,
  ): Promise<ApplicationBinding> {
    return this.deps.bindings.bind({
      instance,
      applicationId: app.applicationId,
      applicationName: app.name,
      entityRef,
      origin: 'created',
      boundBy: actor,
    });
  }

  /** Records a binding denial on both entities' histories (bindingErrors.ts recordBindingDenial). */
  auditDenial(start: AuditStart, error: unknown): Promise<void> {
    return recordBindingDenial(this.deps.audit, start, error);
  }

  /**
   * Binds the existing application named `applicationName` in `instance` to `entityRef`
   * (platform teams, `apim.applications.bind`).
   *
   * @throws NotFoundError when API-M has no application of exactly that name; BindingConflictError
   *   (409) when it is bound to another entity.
   */
  async bindExisting(
    instance: string,
    applicationName: string,
    entityRef: string,
    actor: string,
  ): Promise<ApplicationBinding> {
    const app = await this.deps.directory.findApplication(
      this.client(instance),
      applicationName,
    );
    if (!app) {
      throw new NotFoundError(
        `API-M instance "${instance}" has no application named "${applicationName}"; nothing to bind (Backstage creates and binds missing applications itself)`,
      );
    }
    return this.deps.bindings.bind({
      instance,
      applicationId: app.applicationId,
      applicationName: app.name,
      entityRef,
      origin: 'bound',
      boundBy: actor,
    });
  }

  /**
   * Applications named by annotations, existing in API-M and bound to no entity, with the
   * entities naming them, from `pages` of annotated entities; bounded by `limit` (see
   * bindingCandidates.ts).
   */
  candidates(
    pages: AsyncIterable<NamedApplication[]>,
    limit: number,
  ): Promise<CandidateScan> {
    return scanCandidates(
      {
        bindings: this.deps.bindings,
        instances: this.deps.instances.entries(),
        findApplication: (client, name) =>
          this.deps.directory.findApplication(client, name),
      },
      pages,
      limit,
    );
  }

  /** Checks the instance id of a REST request (400 naming the configured ones). */
  instance(id: string): string {
    if (!this.deps.instances.has(id)) {
      throw new InputError(
        `instance must be one of ${this.deps.instances
          .ids()
          .join(', ')}, not "${id}"`,
      );
    }
    return id;
  }
}
