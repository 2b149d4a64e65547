/**
 * WSO2 API-M's rules for application names, checked once here so that the backend (REST routes),
 * the entity tab and the scaffolder actions refuse the same annotations with the same words,
 * before anything reaches API-M.
 */
import { APIM_APPLICATION_ANNOTATION } from './constants';

/**
 * `Application.name` maxLength in WSO2's devportal OpenAPI file (CONTRACT.md 4.1).
 *
 * @public
 */
export const APIM_APPLICATION_NAME_MAX_LENGTH = 100;

/**
 * Which rule a name breaks.
 *
 * @public
 */
export type ApplicationNameRule =
  /** CONTRACT.md 4.1: `name` is 1..100 characters. */
  | 'empty'
  /** CONTRACT.md 4.1: `name` is 1..100 characters (counted as Java counts: UTF-16 code units). */
  | 'too-long'
  /** CONTRACT.md 4.2: WSO2 answers 400 for leading or trailing white space. */
  | 'surrounding-whitespace'
  /**
   * CONTRACT.md 4.2 ("invalid characters" answer 400). The contract does not list WSO2's
   * character set, so only characters no name can sensibly hold are refused here: control
   * characters (newlines, tabs...), which would also break logs and CSV exports.
   */
  | 'control-characters';

/** @public */
export interface ApplicationNameProblem {
  rule: ApplicationNameRule;
  /**
   * One sentence naming the annotation, the value and WSO2's rule, and what to do. The backend
   * answers it as a 400 and the entity tab shows it verbatim.
   */
  message: string;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
// Java's String.trim() strips every char <= U+0020; JS's trim() also strips Unicode spaces,
// which WSO2 keeps. Either way such a name is one nobody means to type.
function isBlank(char: string | undefined): boolean {
  return char !== undefined && (char <= '\u0020' || /\s/.test(char));
}

/** Whether the name starts or ends with a character either trim() would strip. */
function hasSurroundingWhitespace(name: string): boolean {
  return isBlank(name[0]) || isBlank(name[name.length - 1]);
}

/**
 * Checks an application name (the `wso2.com/apim-application` annotation) against the naming
 * rules WSO2 API-M enforces on `POST /applications` (CONTRACT.md 4.1 and 4.2). Inner spaces are
 * valid (`Case Inner Spaces EU`).
 *
 * @param name - the annotation's value
 * @returns `undefined` when API-M would accept the name, otherwise the rule it breaks and a
 *   message for the user; never throws.
 *
 * @public
 */
export function checkApplicationName(
  name: string,
): ApplicationNameProblem | undefined {
  const shown = JSON.stringify(
    name.length > 120 ? `${name.slice(0, 120)}…` : name,
  );
  const problem = (rule: ApplicationNameRule, why: string) => ({
    rule,
    message: `The ${APIM_APPLICATION_ANNOTATION} annotation ${shown} is not an application name WSO2 API-M accepts: ${why}. Change the annotation in the entity's catalog-info.yaml.`,
  });
  if (name.length === 0) {
    return problem('empty', 'an application name must not be empty');
  }
  if (name.length > APIM_APPLICATION_NAME_MAX_LENGTH) {
    return problem(
      'too-long',
      `an application name is at most ${APIM_APPLICATION_NAME_MAX_LENGTH} characters, this one has ${name.length}`,
    );
  }
  if (hasSurroundingWhitespace(name)) {
    return problem(
      'surrounding-whitespace',
      'an application name must not start or end with a space (spaces inside the name are fine)',
    );
  }
  if (CONTROL_CHARS.test(name)) {
    return problem(
      'control-characters',
      'an application name must not contain control characters such as newlines or tabs',
    );
  }
  return undefined;
}
