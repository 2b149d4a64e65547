import '@testing-library/jest-dom';

// Known, harmless warnings from third-party components (MUI v4 Portal, material-table, JSS in
// jsdom) that would drown the test output; everything else still reaches the console.
const NOISE = [
  /findDOMNode is deprecated/,
  /Support for defaultProps will be removed/,
  /\[JSS\]/,
];
for (const level of ['error', 'warn'] as const) {
  // eslint-disable-next-line no-console
  const original = console[level];
  // eslint-disable-next-line no-console
  console[level] = (...args: unknown[]) => {
    if (
      typeof args[0] === 'string' &&
      NOISE.some(re => re.test(args[0] as string))
    )
      return;
    original(...args);
  };
}
