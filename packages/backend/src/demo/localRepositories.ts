/**
 * Demo only: a "repository host" inside this backend, so the example template "New service with
 * its OAuth2 client" can run to its end on a machine without GitHub (the local stack, the browser
 * tests). `demo:publish:local` copies the task's workspace to `<directory>/<name>/`; the plugin
 * `demo-repos` serves those files read-only at `/api/demo-repos/<name>/...`, which the catalog
 * reads like any other URL (`backend.reading.allow` must list the backend's host).
 *
 * Installed by packages/backend only; not part of the published plugins.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import Router from 'express-promise-router';
import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';

const PLUGIN_ID = 'demo-repos';

/** Repository names: one path segment, like a GitHub repository name. */
const REPOSITORY_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/i;

/**
 * Where published repositories live: `demo.localRepositories.directory` (relative to the
 * backend's working directory), default `.local/repos`.
 */
function repositoriesDirectory(config: Config): string {
  const configured = config.getOptionalString(
    'demo.localRepositories.directory',
  );
  return path.resolve(configured ?? path.join(process.cwd(), '.local/repos'));
}

/** Serves the published repositories read-only, without sign-in (the catalog fetches them). */
export const demoRepositoriesPlugin = createBackendPlugin({
  pluginId: PLUGIN_ID,
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        http: coreServices.httpRouter,
      },
      async init({ config, http }) {
        const directory = repositoriesDirectory(config);
        await fs.mkdir(directory, { recursive: true });
        const router = Router();
        // serve-static refuses paths that leave the root and never lists directories.
        router.use(
          express.static(directory, {
            dotfiles: 'deny',
            index: false,
            redirect: false,
          }),
        );
        http.use(router);
        http.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
      },
    });
  },
});

/** Registers `demo:publish:local` with the scaffolder. */
export const demoLocalPublishModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'demo-local-publish',
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        scaffolderActions: scaffolderActionsExtensionPoint,
      },
      async init({ config, discovery, scaffolderActions }) {
        const directory = repositoriesDirectory(config);
        scaffolderActions.addActions(
          createTemplateAction({
            id: 'demo:publish:local',
            description:
              'Demo only: publishes the workspace as a repository served by this backend (/api/demo-repos/<name>/), for machines without a Git host.',
            schema: {
              input: {
                name: z =>
                  z
                    .string({ description: 'Repository name' })
                    .regex(
                      REPOSITORY_NAME,
                      'one path segment: letters, digits, . _ -',
                    ),
              },
              output: {
                remoteUrl: z => z.string(),
                catalogInfoUrl: z => z.string(),
              },
            },
            async handler(ctx) {
              const target = path.join(directory, ctx.input.name);
              // Publishing a name again replaces it, like a force-push of a fresh repository.
              await fs.rm(target, { recursive: true, force: true });
              await fs.cp(ctx.workspacePath, target, { recursive: true });
              const base = await discovery.getExternalBaseUrl(PLUGIN_ID);
              const url = `${base}/${encodeURIComponent(ctx.input.name)}/`;
              ctx.logger.info(`Published the workspace to ${url}`);
              ctx.output('remoteUrl', url);
              // catalog:register resolves repoContentsUrl through an SCM integration, which this
              // host is not; the template registers the file's URL instead.
              ctx.output('catalogInfoUrl', `${url}catalog-info.yaml`);
            },
          }),
        );
      },
    });
  },
});
