// dist-dynamic/: the RHDH CLI's dynamic plugin export (`yarn export-dynamic`), built code.
module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  ignorePatterns: ['dist-dynamic/**'],
});
