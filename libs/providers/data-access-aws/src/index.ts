export {
  AWS_CONFIG_DEFAULTS,
  AWS_CONFIG_KEYS,
  type AwsConfig,
  type AwsSendMode,
  DEFAULT_SNS_CERT_URL_ALLOW,
  parseAwsConfig,
} from './aws.config';
export { AwsSmsProvider, CONTEXT_MESSAGE_ID, type AwsClientOverrides } from './aws.provider';
