// The friendly zod error text lives in formats/shared (every ingress uses it).
export { formatPath, zodToGatewayError } from '../shared/zod-error.js';
