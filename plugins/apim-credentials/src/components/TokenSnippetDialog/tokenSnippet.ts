// The snippet is built in -common so that the backend's tests can run it against a real key manager.
export {
  buildTokenCurl,
  CA_CERT_PLACEHOLDER,
  CONSUMER_SECRET_PLACEHOLDER,
  CONSUMER_SECRET_VARIABLE,
  shellQuote,
} from '@apim-credentials/backstage-plugin-apim-credentials-common';
