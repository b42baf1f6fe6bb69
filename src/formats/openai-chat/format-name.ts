// The format's name, also its key in CanonicalRequest.providerOptions.
export const FORMAT = 'openai-chat';
