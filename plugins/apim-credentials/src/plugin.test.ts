import { createElement } from 'react';
import { getComponentData } from '@backstage/core-plugin-api';
import {
  ApimEnvironmentsPickerFieldExtension,
  ApimKeyManagerPickerFieldExtension,
  apimCredentialsPlugin,
  ApimCredentialsPage,
  EntityApimCredentialsContent,
  isApimCredentialsAvailable,
} from '.';
import { entity, entityWithoutAnnotation } from './testing/fixtures';

describe('legacy frontend system', () => {
  it('exports the plugin and its routable extensions', () => {
    expect(apimCredentialsPlugin.getId()).toBe('apim-credentials');
    expect(EntityApimCredentialsContent).toBeDefined();
    expect(ApimCredentialsPage).toBeDefined();
    expect(apimCredentialsPlugin.getApis()).toHaveLength(1);
  });

  it('exports the scaffolder field extensions under their ui:field names', () => {
    expect(
      getComponentData(
        createElement(ApimEnvironmentsPickerFieldExtension),
        'scaffolder.extensions.field.v1',
      ),
    ).toMatchObject({ name: 'ApimEnvironmentsPicker' });
    expect(
      getComponentData(
        createElement(ApimKeyManagerPickerFieldExtension),
        'scaffolder.extensions.field.v1',
      ),
    ).toMatchObject({ name: 'ApimKeyManagerPicker' });
  });

  it('isApimCredentialsAvailable follows the annotation', () => {
    expect(isApimCredentialsAvailable(entity)).toBe(true);
    expect(isApimCredentialsAvailable(entityWithoutAnnotation)).toBe(false);
    expect(
      isApimCredentialsAvailable({
        ...entity,
        metadata: {
          name: 'x',
          annotations: { 'wso2.com/apim-application': '  ' },
        },
      }),
    ).toBe(false);
  });
});
