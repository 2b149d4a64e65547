export { TokenSnippetDialog } from './TokenSnippetDialog';
export { buildTokenCurl, CONSUMER_SECRET_PLACEHOLDER } from './tokenSnippet';
