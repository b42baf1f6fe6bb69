// OpenAI's error shape lives in formats/shared (the Responses ingress speaks it too).
export { encodeError, errorObject, type OpenAiErrorObject } from '../shared/openai-error.js';
